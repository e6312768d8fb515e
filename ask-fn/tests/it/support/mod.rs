//! What the test modules share: DynamoDB-compatible tables on the emulator, a fake LLM
//! endpoint, and a webhook receiver.

pub mod dynamo;
pub mod fake_llm;
pub mod receiver;
