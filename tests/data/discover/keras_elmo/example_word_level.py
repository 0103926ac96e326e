# From JHart96/keras_elmo_embedding_layer @ de86075d85fbc311972207463a508c3f50276fdb,
# example_word_level.py (excerpt, in a function): Keras prints the compiled metrics during fit.
from keras.optimizers import Adam


def train(model, x_train, y_train, x_test, y_test):
    model.compile(loss="binary_crossentropy", optimizer=Adam(lr=0.001), metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=2, epochs=5, validation_data=(x_test, y_test))
