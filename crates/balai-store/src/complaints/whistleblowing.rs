//! Whistleblowing (WBS): the reporter's identity and text are sealed to the inspectorate's public key
//! before they reach the database, and opened only by an inspector holding the private key.
