"""Default config: a small PReLU CNN on scikit-learn's 8x8 digits.

    python train.py                          # this file
    python train.py --optimizer=sgd          # SGD, momentum 0.9, lr 0.1
    python train.py --lr=1e-3 --epochs=60    # any key below can be overridden

Reproduces about 0.98 validation accuracy on digits (360 held-out images) in a few minutes on CPU.
Every key lives here; other config files override some of them.
"""

seed = 0
device = "auto"  # "auto": CUDA when visible, else CPU; or "cpu", "cuda", "cuda:1"
ddp = "auto"  # "auto": several visible GPUs -> relaunch under torchrun, one process per GPU; "off"

# data: 1,797 images of 8x8 pixels, 10 classes, shipped inside scikit-learn
val_fraction = 0.2
batch_size = 64
num_workers = 0  # the data sit in memory; worker processes would only add start-up time
augment = True  # random shifts of up to one pixel

# model: small backbone and small inputs first; grow only once the numbers say so
width = 32  # channels of the first conv block; the later blocks use 2 * width
dropout = 0.1

# optimisation: AdamW at 3e-4 by default; SGD with momentum 0.9 at lr 0.1 as the alternative
optimizer = "adamw"  # "adamw" or "sgd"
lr = None  # None: 3e-4 for adamw, 0.1 for sgd
momentum = 0.9  # sgd only
weight_decay = 0.01
epochs = 30  # the learning rate follows a cosine from lr to 0 over all steps

# bookkeeping
out_dir = "out/default"  # model.pt, curves.png and augmented.png land here
sanity = True  # run every sanity check once before training
sanity_quick = False  # fewer steps for the checks (smoke runs)
note = ""  # a word on what this run tries; it goes into EXPERIMENTS.md
