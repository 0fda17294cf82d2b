"""The indicator classifier: what the rules miss, learnt from the labelled set.

features (what a row looks like) -> pipeline (the scikit-learn model) -> blend (how model
and rules combine per category) -> store (the trained model on disk, used by `check`);
training fits and measures it (`kpiscore train`, `kpiscore eval`).
"""
