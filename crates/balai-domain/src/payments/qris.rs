//! Dynamic QRIS (EMVCo merchant-presented mode): the payload's encoder and decoder.
