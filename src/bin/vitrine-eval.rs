//! `vitrine-eval`: offline evaluation on real data (see docs/BENCHMARKS.md).

use std::path::PathBuf;
use std::process::ExitCode;
use vitrine::eval::basket::{self, Split, DAY_MS};
use vitrine::eval::metrics::Metrics;
use vitrine::eval::uci;
use vitrine::model::build::input::{parse_time, Field};
use vitrine::model::build::Options;
use vitrine::recommend::Weights;

fn date(s: &str) -> i64 {
    parse_time(&Field::Text(s.into())).unwrap_or(0.0) as i64
}

fn row(name: &str, m: &Metrics) {
    println!(
        "| {name:<28} | {:>6.4} | {:>6.4} | {:>6.4} | {:>5} |",
        m.recall, m.hit_rate, m.ndcg, m.cases
    );
}

fn uci_cmd(data: PathBuf, work: PathBuf) -> Result<(), String> {
    let loaded = uci::load(&data.join("uci-online-retail/by-day"))?;
    eprintln!(
        "uci: {} rows; dropped {} cancellations, {} non-positive, {} guest, {} non-product; {} orders",
        loaded.rows, loaded.cancellations, loaded.non_positive, loaded.guests, loaded.non_product, loaded.orders.len()
    );
    let split = Split::new(loaded.orders, date("2011-06-01"));
    eprintln!(
        "train orders {}, test customers {}",
        split.train.len(),
        split.test.len()
    );
    let o = Options {
        temp_dir: work.clone(),
        ..Options::default()
    };
    split
        .write_test(&work.join("test.csv"))
        .map_err(|e| e.to_string())?;
    let model = basket::build_model(&split, &loaded.titles, &work, &o)?;
    let k = 10;
    println!("| method | Recall@10 | HR@10 | NDCG@10 | customers |");
    row("POP (last 30 days)", &basket::evaluate_pop(&split, k));
    row("TOPFREQ", &basket::evaluate_topfreq(&split, k));
    let m = basket::evaluate_vitrine(&model, &split, &[Weights::default()], 14.0, k);
    row("vitrine for_you", &m[0]);
    let _ = DAY_MS;
    Ok(())
}

/// Random search over the for_you weights on an inner split of the training period only
/// (train before `inner`, test the first order from `inner` to the real cutoff).
fn tune_cmd(data: PathBuf, work: PathBuf, samples: usize) -> Result<(), String> {
    let loaded = uci::load(&data.join("uci-online-retail/by-day"))?;
    let cutoff = date("2011-06-01");
    let train: Vec<_> = loaded
        .orders
        .into_iter()
        .filter(|o| o.time < cutoff)
        .collect();
    let split = Split::new(train, date("2011-03-01"));
    eprintln!(
        "inner split: train orders {}, test customers {}",
        split.train.len(),
        split.test.len()
    );
    let o = Options {
        temp_dir: work.clone(),
        ..Options::default()
    };
    let model = basket::build_model(&split, &loaded.titles, &work, &o)?;
    let k = 10;
    row("inner TOPFREQ", &basket::evaluate_topfreq(&split, k));
    let mut rng = vitrine::rng::Rng::new(11);
    let mut settings = vec![Weights::default()];
    for _ in 0..samples {
        let mut w = Weights::default();
        let mut r = |hi: f64| (rng.unit() * hi) as f32;
        let f = &mut w.for_you;
        f.buy_again = r(5.0);
        f.interest = r(5.0);
        f.neighbours = r(3.0);
        f.embedding = r(2.0);
        f.popularity = r(1.0);
        f.trending = r(1.0);
        f.price = r(0.5);
        w.buy_again_half_life_days = 10.0 + r(200.0);
        settings.push(w);
    }
    for hl in [14.0, 45.0, 120.0] {
        let results = basket::evaluate_vitrine(&model, &split, &settings, hl, k);
        let mut best: Vec<(usize, &Metrics)> = results.iter().enumerate().collect();
        best.sort_by(|a, b| b.1.recall.total_cmp(&a.1.recall));
        println!("half-life {hl}: default recall {:.4}", results[0].recall);
        for (i, m) in best.iter().take(5) {
            let w = &settings[*i];
            let f = &w.for_you;
            println!(
                "  {:.4} {:.4} ba {:.2} int {:.2} nb {:.2} emb {:.2} pop {:.2} tr {:.2} price {:.2} bahl {:.0}",
                m.recall, m.ndcg, f.buy_again, f.interest, f.neighbours, f.embedding, f.popularity, f.trending, f.price, w.buy_again_half_life_days
            );
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("../shared/data");
    let work = root.join("target/eval");
    let r = match args.first().map(String::as_str) {
        Some("uci") => uci_cmd(data, work.join("uci")),
        Some("tune") => tune_cmd(
            data,
            work.join("tune"),
            args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100),
        ),
        _ => Err("usage: vitrine-eval uci".into()),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vitrine-eval: {e}");
            ExitCode::FAILURE
        }
    }
}
