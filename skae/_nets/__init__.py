"""Keras architecture builders: pure functions returning ``keras.Model``.

These modules import Keras at module level and are only imported by the
estimators when a network is first built or loaded.
"""
