"""Smoke config: the whole pipeline (sanity checks, training, validation, curves, record) on CPU in
well under a minute. Run it after every change, before anything long:

    python train.py config/smoke.py

It reproduces nothing: a few epochs of a narrow net, to show that every part runs.
"""

device = "cpu"
ddp = "off"
width = 16
lr = 3e-3  # a short run needs a larger step than the default 3e-4
epochs = 5
out_dir = "out/smoke"
sanity_quick = True
note = "smoke"
