//! The permission model: policy definitions, the compiled catalog, bitsets.

pub mod bits;
pub mod catalog;
pub mod def;
