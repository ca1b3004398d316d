//! Fast CPU kernels for ResNets as candle custom ops, with candle-op fallbacks on other devices.
