"""The build pipeline: build.py reads as the whole build (load, decide, render, write), with
its workers (parallel.py, helper.py) and atomic writing (write.py).

(Not named `build/`: the usual Python .gitignore and tools such as ruff skip any folder of
that name as generated output.)"""
