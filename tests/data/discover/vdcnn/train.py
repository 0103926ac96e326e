# From zonetrooper32/VDCNN @ 502cebe5f9702543ad630468f4837eac73d6f0d4, train.py (excerpt, in a
# function): the metric is printed by a multi-line f-string.


def run(epochs, test_ds, test_step, test_loss, test_accuracy):
    for epoch in range(epochs):
        for texts, labels in test_ds:
            test_step(texts, labels)

        # the source's shape: one print over three lines
        # fmt: off
        print(f'Epoch {epoch + 1}, '
              f'Test Loss: {test_loss.result()}, '
              f'Test Accuracy: {test_accuracy.result() * 100}')
        # fmt: on
