fn main() -> std::process::ExitCode {
    edgeup::app::main(std::env::args_os())
}
