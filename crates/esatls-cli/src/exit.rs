//! Exit statuses, as the help text and README document them.

/// The command ran and every input was read.
pub const SUCCESS: u8 = 0;

/// A filter or a trace matched nothing.
pub const NO_MATCH: u8 = 1;

/// A usage error, or an input that could not be read completely.
pub const USAGE: u8 = 2;

/// Returns whether `error` comes from writing to a closed pipe, which
/// (`esatls messages | head`) is a normal way for output to end.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
