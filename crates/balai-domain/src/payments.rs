//! Non-cash payment of retribusi: invoices, their states and bill numbers, and the QRIS payload.

pub mod qris;
