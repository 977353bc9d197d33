"""The desk (`louyu desk`): the staff's web front end to the same platform and gate.

A peer of `commands/`: it reads the platform, asks the gate and the checks, and writes
through git. app.py gathers the routes; guard.py and identity.py decide who is signed in
and what every request must show; workspace.py holds the loaded platform.
"""
