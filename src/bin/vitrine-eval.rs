//! `vitrine-eval`: offline evaluation on real data (see docs/BENCHMARKS.md).

use std::path::PathBuf;
use std::process::ExitCode;
use vitrine::eval::basket::{self, Split, DAY_MS};
use vitrine::eval::metrics::Metrics;
use vitrine::eval::{sessions, uci};
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
    let m = basket::evaluate_vitrine(&model, &split, &[Weights::default()], 45.0, k);
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
    for hl in [45.0] {
        let results = basket::evaluate_vitrine(&model, &split, &settings, hl, k);
        let mut best: Vec<(usize, &Metrics)> = results.iter().enumerate().collect();
        best.sort_by(|a, b| b.1.recall.total_cmp(&a.1.recall));
        println!("half-life {hl}: default recall {:.4}", results[0].recall);
        for (i, m) in best.iter().take(12) {
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

fn yoochoose_cmd(data: PathBuf, work: PathBuf, tune: bool) -> Result<(), String> {
    let clicks = sessions::load(&data.join("yoochoose-100k/train.tsv"))?;
    let (mut train, mut test) = sessions::split(sessions::sessions(clicks));
    if tune {
        // Validation: the last training day, model from the days before.
        (train, test) = sessions::split(train);
    }
    eprintln!(
        "yoochoose: {} train sessions, {} test sessions",
        train.len(),
        test.len()
    );
    let o = Options {
        temp_dir: work.clone(),
        ..Options::default()
    };
    let model = sessions::build_model(&train, &work, &o)?;
    let k = 20;
    println!("| method | HR@20 | MRR@20 | predictions |");
    let r = |n: &str, m: &Metrics| {
        println!(
            "| {n:<24} | {:.4} | {:.4} | {} |",
            m.hit_rate, m.mrr, m.cases
        )
    };
    r("POP", &sessions::evaluate_pop(&train, &test, k));
    r("session-kNN", &sessions::evaluate_sknn(&train, &test, k));
    let mut settings = vec![Weights::default()];
    if tune {
        for recent in [0.0, 0.5, 1.0, 2.0, 4.0] {
            for interest in [0.0, 0.5, 1.0, 2.0] {
                let mut w = Weights::default();
                w.for_you.recent = recent;
                w.for_you.interest = interest;
                settings.push(w);
            }
        }
    }
    let res = sessions::evaluate_vitrine(&model, &test, &settings, k);
    for (w, m) in settings.iter().zip(&res) {
        r(
            &format!(
                "vitrine rec {} int {}",
                w.for_you.recent, w.for_you.interest
            ),
            m,
        );
    }
    Ok(())
}

/// Writes synthetic order lines (for the build benchmark): `synth LINES OUT [ITEMS]`.
fn synth_cmd(args: &[String]) -> Result<(), String> {
    let lines: u64 = args
        .first()
        .and_then(|s| s.parse().ok())
        .ok_or("synth LINES OUT [ITEMS]")?;
    let out = args.get(1).ok_or("synth LINES OUT [ITEMS]")?;
    let items: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let shop = vitrine::eval::synth::Shop {
        customers: 200_000,
        items,
        theme_size: 200,
        orders_per_customer: 10,
        days: 365,
        seed: 20,
        ..Default::default()
    };
    let f = std::fs::File::create(out).map_err(|e| format!("{out}: {e}"))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    let n = vitrine::eval::synth::write_lines(&shop, lines, &mut w).map_err(|e| e.to_string())?;
    std::io::Write::flush(&mut w).map_err(|e| e.to_string())?;
    eprintln!("wrote {n} lines to {out}");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("../shared/data");
    let work = root.join("target/eval");
    let r = match args.first().map(String::as_str) {
        Some("yoochoose") => yoochoose_cmd(data, work.join("yoochoose"), false),
        Some("tune-yoochoose") => yoochoose_cmd(data, work.join("tune-yoochoose"), true),
        Some("synth") => synth_cmd(&args[1..]),
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
