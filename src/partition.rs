//! Partitioning of CPU work (being written).
