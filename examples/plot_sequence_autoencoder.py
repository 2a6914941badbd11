"""
================================
Sequence-to-sequence autoencoder
================================

For sequences the tutorial reads the input with an ``LSTM`` into one vector,
repeats it at every time step (``RepeatVector``) and decodes it with another
``LSTM`` (``architecture="tutorial"`` in skae). skae's default reads each
sequence with a bidirectional GRU into a linear code and decodes it with
another one. Here each 8x8 digit is read as a sequence of 8 rows of 8 pixels,
top to bottom: ``SequenceAutoencoder(sequence_shape=(8, 8))`` accepts flat
rows of 64 values as well as ``(n, 8, 8)`` arrays (and lists of sequences of
different lengths).
"""

# %%
from sklearn.model_selection import train_test_split

from skae import SequenceAutoencoder
from skae.datasets import load_digits_images

images, _ = load_digits_images()  # (n, timesteps=8, features=8)
seq_train, seq_test = train_test_split(images, test_size=0.25, random_state=0)

seq = SequenceAutoencoder(
    sequence_shape=(8, 8), n_components=16, epochs=30, batch_size=64, random_state=0
).fit(seq_train)
codes = seq.transform(seq_test)
print("codes:", codes.shape, f"in [{codes.min():.2f}, {codes.max():.2f}]")
print("reconstructions:", seq.reconstruct(seq_test).shape)
print(f"test score: {seq.score(seq_test):.4f}")

# %%
# The reconstructed sequences, drawn as images (one row per time step).
from skae.plotting import ReconstructionDisplay

ReconstructionDisplay.from_estimator(seq, seq_test, n_images=10)
