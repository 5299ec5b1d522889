//! Non-cash payment of retribusi: invoices, their states and bill numbers, refunds, and the QRIS
//! payload ([`qris`]).
//!
//! An invoice is the bill for one case, for the fee of the service standard in force when the case
//! was opened, in whole rupiah. Its states are GOV.UK Pay's (created, started, submitted, success,
//! failed, cancelled, expired) plus refunded. One bill number names it on the QR (tag 62), as the
//! virtual account's customer number and on the printed bill, so a payment is matched without a person.

pub mod qris;

use crate::Lang;
use crate::money::Rupiah;

/// Where an invoice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceStatus {
    /// Issued; nobody has opened it yet.
    Created,
    /// The citizen opened the payment page (the QR or the virtual account was shown).
    Started,
    /// A gateway reported a payment in flight.
    Submitted,
    /// Paid in full.
    Success,
    /// The gateway reported the payment failed; a new invoice is issued to try again.
    Failed,
    /// Withdrawn before payment (the case was rejected or closed).
    Cancelled,
    /// Not paid before its expiry.
    Expired,
    /// Paid, then refunded in full.
    Refunded,
}

impl InvoiceStatus {
    pub const ALL: [InvoiceStatus; 8] = [
        InvoiceStatus::Created,
        InvoiceStatus::Started,
        InvoiceStatus::Submitted,
        InvoiceStatus::Success,
        InvoiceStatus::Failed,
        InvoiceStatus::Cancelled,
        InvoiceStatus::Expired,
        InvoiceStatus::Refunded,
    ];

    pub fn code(self) -> &'static str {
        match self {
            InvoiceStatus::Created => "created",
            InvoiceStatus::Started => "started",
            InvoiceStatus::Submitted => "submitted",
            InvoiceStatus::Success => "success",
            InvoiceStatus::Failed => "failed",
            InvoiceStatus::Cancelled => "cancelled",
            InvoiceStatus::Expired => "expired",
            InvoiceStatus::Refunded => "refunded",
        }
    }

    pub fn parse(code: &str) -> Option<InvoiceStatus> {
        InvoiceStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Money may still arrive for it.
    pub fn is_payable(self) -> bool {
        matches!(self, InvoiceStatus::Created | InvoiceStatus::Started | InvoiceStatus::Submitted)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            InvoiceStatus::Created => lang.pick("Belum dibayar", "Not paid yet"),
            InvoiceStatus::Started => lang.pick("Menunggu pembayaran", "Awaiting payment"),
            InvoiceStatus::Submitted => lang.pick("Pembayaran sedang diproses", "Payment in progress"),
            InvoiceStatus::Success => lang.pick("Lunas", "Paid"),
            InvoiceStatus::Failed => lang.pick("Pembayaran gagal", "Payment failed"),
            InvoiceStatus::Cancelled => lang.pick("Dibatalkan", "Cancelled"),
            InvoiceStatus::Expired => lang.pick("Kedaluwarsa", "Expired"),
            InvoiceStatus::Refunded => lang.pick("Dikembalikan", "Refunded"),
        }
    }
}

/// What happens to an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceEvent {
    Start,
    Submit,
    Succeed,
    Fail,
    Cancel,
    Expire,
    Refund,
}

impl InvoiceEvent {
    pub const ALL: [InvoiceEvent; 7] = [
        InvoiceEvent::Start,
        InvoiceEvent::Submit,
        InvoiceEvent::Succeed,
        InvoiceEvent::Fail,
        InvoiceEvent::Cancel,
        InvoiceEvent::Expire,
        InvoiceEvent::Refund,
    ];

    pub fn code(self) -> &'static str {
        match self {
            InvoiceEvent::Start => "start",
            InvoiceEvent::Submit => "submit",
            InvoiceEvent::Succeed => "succeed",
            InvoiceEvent::Fail => "fail",
            InvoiceEvent::Cancel => "cancel",
            InvoiceEvent::Expire => "expire",
            InvoiceEvent::Refund => "refund",
        }
    }
}

/// Why an invoice cannot take an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceError {
    #[error("an invoice that is {} cannot {}", .from.code(), .event.code())]
    NotAllowed { from: InvoiceStatus, event: InvoiceEvent },
}

/// The invoice's state table. Money decides over the clock: a payment that arrives for an invoice
/// in flight succeeds, and only a paid invoice can be refunded.
pub fn next_status(from: InvoiceStatus, event: InvoiceEvent) -> Result<InvoiceStatus, InvoiceError> {
    use InvoiceEvent as E;
    use InvoiceStatus as S;
    let to = match (from, event) {
        (S::Created, E::Start) => S::Started,
        (S::Created | S::Started, E::Submit) => S::Submitted,
        (S::Created | S::Started | S::Submitted, E::Succeed) => S::Success,
        (S::Created | S::Started | S::Submitted, E::Fail) => S::Failed,
        (S::Created | S::Started | S::Submitted, E::Cancel) => S::Cancelled,
        (S::Created | S::Started | S::Submitted, E::Expire) => S::Expired,
        (S::Success, E::Refund) => S::Refunded,
        _ => return Err(InvoiceError::NotAllowed { from, event }),
    };
    Ok(to)
}

/// How a citizen pays an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Dynamic QRIS, from any bank or e-wallet app.
    Qris,
    /// A virtual account at the regional bank (SNAP).
    VirtualAccount,
    /// Cash or card at the agency's counter, recorded by an officer.
    Counter,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Qris => "qris",
            Channel::VirtualAccount => "va",
            Channel::Counter => "counter",
        }
    }

    pub fn parse(code: &str) -> Option<Channel> {
        [Channel::Qris, Channel::VirtualAccount, Channel::Counter].into_iter().find(|c| c.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Channel::Qris => "QRIS",
            Channel::VirtualAccount => lang.pick("Virtual account", "Virtual account"),
            Channel::Counter => lang.pick("Loket", "Counter"),
        }
    }
}

/// How long an invoice may be paid, by the channel it is first offered for.
pub const DEFAULT_QRIS_EXPIRY_MINUTES: i64 = 24 * 60;
/// A virtual account lives longer: a transfer from a bank branch may take a working day or two.
pub const DEFAULT_VA_EXPIRY_MINUTES: i64 = 3 * 24 * 60;

/// The most an invoice may ask: Rp1 trillion, far above any retribusi, far below overflow.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// A bill number: digits only, at most 20 (SNAP's customer number), the last a Damm check digit, so
/// any single wrong digit and any swap of two neighbours is caught when it is typed or read back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BillNumber(String);

/// Why a typed bill number is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BillNumberError {
    #[error("a bill number has 2 to 20 digits")]
    Length,
    #[error("a bill number has digits only")]
    NotDigits,
    #[error("the bill number's check digit does not match: a digit is wrong or two are swapped")]
    CheckDigit,
}

/// The Damm quasigroup of order 10 (weakly totally anti-symmetric).
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The Damm check digit of a run of ASCII digits (0 when the run with its digit appended is valid).
pub fn damm_digit(digits: &str) -> u8 {
    digits.bytes().fold(0u8, |interim, b| DAMM[usize::from(interim)][usize::from(b.wrapping_sub(b'0') % 10)])
}

impl BillNumber {
    /// The bill number of a government's invoice: the government's region code as 4 digits (a
    /// province's padded with zeros), the invoice's serial as 9 digits, and the check digit: 14 digits.
    pub fn compose(region_code: &str, serial: u64) -> BillNumber {
        let mut region: String = region_code.chars().filter(char::is_ascii_digit).take(4).collect();
        while region.len() < 4 {
            region.push('0');
        }
        let body = format!("{region}{:09}", serial % 1_000_000_000);
        let check = damm_digit(&body);
        BillNumber(format!("{body}{check}"))
    }

    /// A bill number typed or received: digits only, 2–20, with a valid check digit.
    pub fn parse(input: &str) -> Result<BillNumber, BillNumberError> {
        let input = input.trim();
        if !(2..=20).contains(&input.len()) {
            return Err(BillNumberError::Length);
        }
        if !input.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BillNumberError::NotDigits);
        }
        if damm_digit(input) != 0 {
            return Err(BillNumberError::CheckDigit);
        }
        Ok(BillNumber(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for BillNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why an amount or a refund is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("the service has no fee: there is nothing to invoice")]
    NoFee,
    #[error("the amount is above Rp1.000.000.000.000")]
    TooLarge,
    #[error("a refund is at least Rp1")]
    RefundNotPositive,
    #[error("the refund is more than what is still refundable ({refundable})")]
    RefundAboveRefundable { refundable: Rupiah },
    #[error("the refundable amount named in the request ({named}) is no longer what is refundable ({refundable})")]
    RefundableChanged { named: Rupiah, refundable: Rupiah },
}

/// The amount to invoice for a fee: the fee itself, never a surcharge; a free service has no invoice.
pub fn invoice_amount(fee: Rupiah) -> Result<Rupiah, AmountError> {
    if fee.0 <= 0 {
        return Err(AmountError::NoFee);
    }
    if fee.0 > MAX_AMOUNT {
        return Err(AmountError::TooLarge);
    }
    Ok(fee)
}

/// What is still refundable of a paid invoice.
pub fn refundable(paid: Rupiah, refunded: Rupiah) -> Rupiah {
    Rupiah((paid.0 - refunded.0).max(0))
}

/// Checks a refund request. The request names the refundable amount its author saw, so two refunds
/// asked at once cannot both pass: the second names a figure that is no longer true.
pub fn check_refund(
    paid: Rupiah,
    refunded: Rupiah,
    named_refundable: Rupiah,
    amount: Rupiah,
) -> Result<(), AmountError> {
    let left = refundable(paid, refunded);
    if amount.0 <= 0 {
        return Err(AmountError::RefundNotPositive);
    }
    if named_refundable != left {
        return Err(AmountError::RefundableChanged { named: named_refundable, refundable: left });
    }
    if amount.0 > left.0 {
        return Err(AmountError::RefundAboveRefundable { refundable: left });
    }
    Ok(())
}

/// How a received payment compares with its invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// The invoice is payable and the amount is the bill: it is paid.
    Pays,
    /// The amount differs: held for the treasurer, never marked paid.
    WrongAmount,
    /// Already paid (or refunded): a second payment is not taken.
    AlreadyPaid,
    /// Expired, cancelled or failed before the money came: held for a refund.
    NotPayable,
}

/// The one rule for matching a payment against an invoice, for every channel.
pub fn match_payment(status: InvoiceStatus, bill: Rupiah, received: Rupiah) -> Match {
    match status {
        InvoiceStatus::Success | InvoiceStatus::Refunded => Match::AlreadyPaid,
        s if !s.is_payable() => Match::NotPayable,
        _ if received != bill => Match::WrongAmount,
        _ => Match::Pays,
    }
}

#[cfg(test)]
mod tests;
