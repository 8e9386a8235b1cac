//! `sql/cooccurrence.sql` on DuckDB gives the same model as the direct build.
//!
//! Needs `python3` with the `duckdb` package (`make setup` installs it). Without it the test says
//! so and passes, unless `VITRINE_REQUIRE_SQL=1` (set by `make test`), where it fails.

use std::path::Path;
use std::process::Command;
use vitrine::model::build::{build, build_from_counts, Options};
use vitrine::model::{Model, ModelParts};
use vitrine::rng::Rng;

/// Orders and browsing sessions over 60 items in three themes, with returns, ISO and epoch
/// timestamps, and an id that needs CSV quoting.
fn sample(path: &Path) {
    let mut rng = Rng::new(9);
    let mut s = String::from("user_id,order_id,item_id,quantity,price,timestamp,event\n");
    for o in 0..1500u64 {
        let theme = rng.below(3);
        let t = 1_300_000_000_000u64 + o * 1_800_000 + rng.below(1000) as u64;
        let browsing = o % 3 == 0;
        for line in 0..2 + rng.below(6) {
            let item = theme * 20 + rng.below(20);
            let id = if item == 7 {
                "\"sku,7\"".to_string()
            } else {
                format!("sku-{item}")
            };
            let qty = if rng.below(40) == 0 {
                -1
            } else {
                1 + rng.below(3) as i64
            };
            let price = if rng.below(10) == 0 {
                String::new()
            } else {
                format!("{}.25", item % 9)
            };
            let ts = if o % 5 == 0 && o < 800 {
                let secs = (t + line as u64 * 1000) / 1000;
                let (d, rem) = (secs / 86_400, secs % 86_400);
                // 2011-03-13 is day 15046 since the epoch; the sample spans about a month.
                let day = d - 15_046 + 13;
                format!(
                    "2011-03-{:02}T{:02}:{:02}:{:02}",
                    day,
                    rem / 3600,
                    rem / 60 % 60,
                    rem % 60
                )
            } else {
                (t + line as u64 * 1000).to_string()
            };
            let event = if browsing {
                if rng.below(4) == 0 {
                    "add"
                } else {
                    "view"
                }
            } else {
                "purchase"
            };
            s.push_str(&format!(
                "u{},o{o},{id},{qty},{price},{ts},{event}\n",
                rng.below(200)
            ));
        }
    }
    std::fs::write(path, s).unwrap();
}

fn close(a: &[f32], b: &[f32], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let ok =
            (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-5 * x.abs().max(y.abs()).max(1e-6);
        assert!(ok, "{what}[{i}]: {x} vs {y}");
    }
}

#[test]
fn sql_output_builds_the_same_model_as_the_direct_build() {
    let dir = std::env::temp_dir().join(format!("vitrine-sql-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("interactions.csv");
    sample(&input);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/cooccurrence_duckdb.py");
    let run = Command::new("python3")
        .arg(&script)
        .arg(&input)
        .arg(&dir)
        .output();
    let ok = matches!(&run, Ok(o) if o.status.success());
    if !ok {
        let why = match &run {
            Ok(o) => String::from_utf8_lossy(&o.stderr).into_owned(),
            Err(e) => e.to_string(),
        };
        if std::env::var("VITRINE_REQUIRE_SQL").is_ok_and(|v| v == "1") {
            panic!("running sql/cooccurrence.sql on DuckDB failed: {why}");
        }
        eprintln!(
            "skipped: python3 with duckdb is not available ({why}); `make setup` installs it"
        );
        return;
    }
    let o = Options {
        dims: 8,
        min_support: 1,
        ..Options::default()
    };
    let (direct, _) = build(&input, None, &o).unwrap();
    let (from_sql, _) = build_from_counts(
        &dir.join("pairs.csv"),
        &dir.join("popularity.csv"),
        None,
        &o,
    )
    .unwrap();
    let (a, b) = (
        Model::from_parts(direct).unwrap(),
        Model::from_parts(from_sql).unwrap(),
    );
    let (a, b): (&ModelParts, &ModelParts) = (a.parts(), b.parts());
    assert_eq!(a.ids, b.ids);
    assert!(a.ids.iter().any(|id| id == "sku,7"));
    assert!(!a.co_purchase.is_empty() && !a.co_view.is_empty());
    assert_eq!(a.co_purchase, b.co_purchase, "co-purchase neighbours");
    assert_eq!(a.co_view, b.co_view, "co-view neighbours");
    assert_eq!(
        a.embeddings, b.embeddings,
        "embeddings come from identical neighbours"
    );
    close(&a.popularity, &b.popularity, "popularity");
    close(&a.trending, &b.trending, "trending");
    close(&a.price, &b.price, "price");
    assert!(!a.repeat.is_empty());
    assert_eq!(
        a.repeat, b.repeat,
        "repeat rates come from identical counts"
    );
    assert_eq!(a.info, b.info);
    std::fs::remove_dir_all(&dir).unwrap();
}
