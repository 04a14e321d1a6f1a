//! Delivering: the outbox that stores every response state change and sends
//! it with retries (`outbox`), the Web Storage wrapper with its in-memory
//! fallback (`storage`), and the caps' records kept there (`cap_records`).

pub mod cap_records;
pub mod outbox;
pub mod storage;
