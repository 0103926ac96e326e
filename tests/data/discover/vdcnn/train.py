# From zonetrooper32/VDCNN @ 502cebe5f9702543ad630468f4837eac73d6f0d4, train.py (excerpt): the metric is printed by a multi-line f-string.
for epoch in range(EPOCHS):
    for texts, labels in test_ds:
        test_step(texts, labels)

    print(f'Epoch {epoch + 1}, '
          f'Test Loss: {test_loss.result()}, '
          f'Test Accuracy: {test_accuracy.result() * 100}')
