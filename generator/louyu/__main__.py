"""`python -m louyu`: the installed `louyu` command, for a shell where the console script is
not on PATH. (A top-level module outside the layers: it is only an entry point.)"""

from .commands.cli import entry

if __name__ == "__main__":
    entry()
