//! Histograms, time series and run summaries. No UI.
