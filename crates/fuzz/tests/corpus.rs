//! Every saved input of every target runs through its target again, so a regression shows
//! here: the seeds (`fuzz/seeds/<target>`, generated from the API model's shapes and kept up
//! to date), what libFuzzer found that reached new code (`fuzz/corpus/<target>`), and inputs
//! that once failed (`fuzz/regressions/<target>`).

use ironpool_fuzz::{fuzz_dir, TARGETS};
use std::path::{Path, PathBuf};

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries.map(|e| e.expect("entry").path()).collect();
    files.sort();
    files
}

#[test]
fn the_saved_seeds_are_the_generated_ones() {
    for target in TARGETS {
        let dir = fuzz_dir().join("seeds").join(target.name);
        let seeds = (target.seeds)();
        assert_eq!(
            inputs(&dir).len(),
            seeds.len(),
            "{}: run `cargo run -p ironpool-fuzz -- seeds`",
            target.name
        );
        for (name, input) in seeds {
            let saved = std::fs::read(dir.join(&name)).unwrap_or_default();
            assert!(
                saved == input,
                "{}: seed {name} is out of date; run `cargo run -p ironpool-fuzz -- seeds`",
                target.name
            );
        }
    }
}

#[test]
fn every_saved_input_passes_its_target() {
    for target in TARGETS {
        let mut files = Vec::new();
        for kind in ["seeds", "corpus", "regressions"] {
            files.extend(inputs(&fuzz_dir().join(kind).join(target.name)));
        }
        for file in files {
            let input = std::fs::read(&file).expect("input");
            let result = std::panic::catch_unwind(|| (target.run)(&input));
            assert!(
                result.is_ok(),
                "{} fails on {}",
                target.name,
                file.display()
            );
        }
    }
}
