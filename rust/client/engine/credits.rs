// SPDX-License-Identifier: GPL-2.0

//! The credit window of one channel: which message ids may be used and how many credits
//! a request needs (MS-SMB2 3.2.4.1.5, 3.2.5.1.4).
//!
//! A request of `charge` credits consumes `charge` consecutive message ids; the server
//! grants credits in every response (including interim ones). A server that grants
//! absurd numbers is capped; one that leaves us with no credits and nothing in flight
//! has starved the channel, which only a reconnect repairs.

use crate::proto::header::credit_charge;

/// Most credits a channel holds; grants beyond are ignored (a hostile server cannot
/// make the window, or message ids, grow without bound).
pub const MAX_CREDITS: u32 = 8192;

/// Credits asked for in each request while below the target.
pub const CREDIT_REQUEST: u16 = 256;

/// A reservation of credits and message ids for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reservation {
    /// The first message id of the request.
    pub message_id: u64,
    /// Credits charged (1 for requests up to 64 KiB).
    pub charge: u16,
}

/// Why credits could not be reserved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreditError {
    /// Not enough credits now; wait for responses to grant more.
    Wait,
    /// No credits and nothing in flight: the server will grant none; reconnect.
    Starved,
    /// The request needs more credits than the channel can ever hold.
    TooLarge,
}

/// The credit window of one channel.
#[derive(Clone, Debug)]
pub struct CreditWindow {
    available: u32,
    in_flight: u32,
    next_message_id: u64,
    multi_credit: bool,
}

impl CreditWindow {
    /// A window for a new connection: one credit, for NEGOTIATE with message id 0.
    pub fn new() -> Self {
        Self {
            available: 1,
            in_flight: 0,
            next_message_id: 0,
            multi_credit: false,
        }
    }

    /// Records whether the server supports multi-credit requests (SMB2_GLOBAL_CAP_LARGE_MTU);
    /// without it every request is charged one credit and limited to 64 KiB of payload.
    pub fn set_multi_credit(&mut self, on: bool) {
        self.multi_credit = on;
    }

    /// Returns the credits available now.
    pub fn available(&self) -> u32 {
        self.available
    }

    /// Returns the message id the next reservation will get.
    pub fn next_message_id(&self) -> u64 {
        self.next_message_id
    }

    /// Returns the number of requests sent and not yet answered.
    pub fn in_flight(&self) -> u32 {
        self.in_flight
    }

    /// Returns the credit charge of a request carrying `payload` bytes (the larger of
    /// its request and expected response payloads).
    pub fn charge_for(&self, payload: usize) -> u16 {
        if self.multi_credit {
            credit_charge(payload)
        } else {
            1
        }
    }

    /// Reserves credits and message ids for a request charged `charge` credits.
    pub fn reserve(&mut self, charge: u16) -> Result<Reservation, CreditError> {
        let charge = charge.max(1);
        if u32::from(charge) > MAX_CREDITS {
            return Err(CreditError::TooLarge);
        }
        if self.available < u32::from(charge) {
            return Err(if self.available == 0 && self.in_flight == 0 {
                CreditError::Starved
            } else {
                CreditError::Wait
            });
        }
        let message_id = self.next_message_id;
        self.next_message_id = message_id.wrapping_add(u64::from(charge));
        self.available = self.available.saturating_sub(u32::from(charge));
        self.in_flight = self.in_flight.saturating_add(1);
        Ok(Reservation { message_id, charge })
    }

    /// Gives back a reservation whose request was never sent. Its message ids are not
    /// reused (the server may not see ids out of order), but its credits are.
    pub fn cancel(&mut self, r: Reservation) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.grant(r.charge);
    }

    /// Adds credits granted by a response (interim or final).
    pub fn grant(&mut self, granted: u16) {
        self.available = self
            .available
            .saturating_add(u32::from(granted))
            .min(MAX_CREDITS);
    }

    /// Records the final response to a request: its grant, and one fewer in flight.
    pub fn complete(&mut self, granted: u16) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.grant(granted);
    }

    /// Returns how many credits to ask for in the next request.
    pub fn request_amount(&self) -> u16 {
        if self.available >= MAX_CREDITS / 2 {
            1
        } else {
            CREDIT_REQUEST
        }
    }

    /// Returns whether the server has left the channel without credits for good.
    pub fn is_starved(&self) -> bool {
        self.available == 0 && self.in_flight == 0
    }
}

impl Default for CreditWindow {
    fn default() -> Self {
        Self::new()
    }
}
