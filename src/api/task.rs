//! The task-v1 document and the poll loop as a state machine (in progress).
