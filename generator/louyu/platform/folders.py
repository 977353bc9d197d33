"""The folders of a platform (beside mkdocs.yml): what a build reads, `serve` watches and the
output may never be put in. (Apart from model.py, which names them too, so that the no-op
check — memo/fastpath.py — can know them without importing the model: 10 ms at start.)"""

FOLDERS = ("stations", "content", "reviews", "theme", "terms")
