//! `ironpool-fuzz seeds`: writes each target's seed inputs into `fuzz/seeds/<target>/`.
//! `ironpool-fuzz replay <target> <file or directory>...`: runs inputs through a target, as
//! libFuzzer would, on any toolchain.

use ironpool_fuzz::{fuzz_dir, TARGETS};
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("seeds") => {
            for target in TARGETS {
                let dir = fuzz_dir().join("seeds").join(target.name);
                std::fs::create_dir_all(&dir).expect("corpus directory");
                let seeds = (target.seeds)();
                for (name, input) in &seeds {
                    std::fs::write(dir.join(name), input).expect("seed written");
                }
                println!("{}: {} seeds", target.name, seeds.len());
            }
        }
        Some("replay") if args.len() >= 3 => {
            let target = TARGETS
                .iter()
                .find(|t| t.name == args[1])
                .unwrap_or_else(|| panic!("no target {}", args[1]));
            let mut count = 0;
            for path in &args[2..] {
                count += replay(target.run, Path::new(path));
            }
            println!("{}: {count} inputs", target.name);
        }
        _ => {
            eprintln!("usage: ironpool-fuzz seeds | replay <target> <file or directory>...");
            std::process::exit(2);
        }
    }
}

fn replay(run: fn(&[u8]), path: &Path) -> usize {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .expect("directory")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        entries.iter().map(|p| replay(run, p)).sum()
    } else {
        run(&std::fs::read(path).expect("input"));
        1
    }
}
