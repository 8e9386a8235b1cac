//! `vitrine-eval`: offline evaluation on real data (see docs/BENCHMARKS.md).

use std::path::PathBuf;
use std::process::ExitCode;
use vitrine::eval::basket::{self, Split};
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
        "| {name} | {:.4} | {:.4} | {:.4} | {} |",
        m.recall, m.hit_rate, m.ndcg, m.cases
    );
}

fn uci_cmd(data: PathBuf, work: PathBuf) -> Result<(), String> {
    let dir = data.join("uci-online-retail/by-day");
    if !dir.is_dir() {
        println!("uci: skipped: {} is absent", dir.display());
        return Ok(());
    }
    let loaded = uci::load(&dir)?;
    eprintln!(
        "uci: {} rows; dropped {} cancellations, {} non-positive, {} guest, {} non-product; {} orders",
        loaded.rows, loaded.cancellations, loaded.non_positive, loaded.guests, loaded.non_product, loaded.orders.len()
    );
    let split = Split::new(loaded.orders, date("2011-06-01"));
    let test_lines: usize = split.test.iter().map(|t| t.1.lines.len()).sum();
    println!(
        "UCI Online Retail next basket: train = {} orders before 2011-06-01, test = first later order of {} customers ({:.1} items on average), k = 10\n",
        split.train.len(),
        split.test.len(),
        test_lines as f64 / split.test.len().max(1) as f64
    );
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    split
        .write_test(&work.join("test.csv"))
        .map_err(|e| e.to_string())?;
    let o = Options {
        temp_dir: work.clone(),
        ..Options::default()
    };
    let t = std::time::Instant::now();
    let model = basket::build_model(&split, &loaded.titles, &work, &o)?;
    eprintln!(
        "model: {} items in {:.1}s",
        model.len(),
        t.elapsed().as_secs_f64()
    );
    let k = 10;
    println!("| method | Recall@10 | HR@10 | NDCG@10 | customers |");
    println!("|---|---|---|---|---|");
    let mut peers: Vec<(String, Metrics)> = vec![
        (
            "POP (most bought, last 30 days)".into(),
            basket::evaluate_pop(&split, k),
        ),
        (
            "TOPFREQ (own most bought, then POP)".into(),
            basket::evaluate_topfreq(&split, k),
        ),
    ];
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/eval_implicit.py");
    match std::process::Command::new("python3")
        .arg(&script)
        .arg(&work)
        .output()
    {
        Ok(out) if out.status.success() => {
            let text =
                std::fs::read_to_string(work.join("implicit.json")).map_err(|e| e.to_string())?;
            let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            for (name, m) in v.as_object().into_iter().flatten() {
                if let Some(o) = m.as_object() {
                    let f = |k: &str| o.get(k).and_then(|x| x.as_f64()).unwrap_or(0.0);
                    peers.push((
                        name.clone(),
                        Metrics {
                            cases: f("cases") as usize,
                            recall: f("recall"),
                            hit_rate: f("hit_rate"),
                            ndcg: f("ndcg"),
                            mrr: 0.0,
                        },
                    ));
                }
            }
        }
        Ok(out) => eprintln!(
            "implicit peers skipped: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => eprintln!("implicit peers skipped: python3: {e}"),
    }
    for (name, m) in &peers {
        row(name, m);
    }
    let t = std::time::Instant::now();
    let m = basket::evaluate_vitrine(&model, &split, &[Weights::default()], 45.0, k);
    row("vitrine for_you (model file + own history)", &m[0]);
    eprintln!("replay: {:.1}s", t.elapsed().as_secs_f64());
    if let Some((name, best)) = peers
        .iter()
        .max_by(|a, b| a.1.recall.total_cmp(&b.1.recall))
    {
        println!(
            "\nvitrine Recall@10 vs the best peer ({name}): {:+.1}% (target: +8%)",
            (m[0].recall / best.recall - 1.0) * 100.0
        );
    }
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
    let file = data.join("yoochoose-100k/train.tsv");
    if !file.is_file() {
        println!("yoochoose: skipped: {} is absent", file.display());
        return Ok(());
    }
    let clicks = sessions::load(&file)?;
    let (mut train, mut test) = sessions::split(sessions::sessions(clicks));
    if tune {
        // Validation: the last training day, model from the days before.
        (train, test) = sessions::split(train);
    }
    println!(
        "Yoochoose next click: {} training sessions, {} test sessions (the last day), for_you after each click, k = 20\n",
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
    println!("|---|---|---|---|");
    let r =
        |n: &str, m: &Metrics| println!("| {n} | {:.4} | {:.4} | {} |", m.hit_rate, m.mrr, m.cases);
    r(
        "POP (most clicked)",
        &sessions::evaluate_pop(&train, &test, k),
    );
    r(
        "session-kNN (k=100, sample 500)",
        &sessions::evaluate_sknn(&train, &test, k),
    );
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
        let name = if tune {
            format!(
                "vitrine recent {} interest {}",
                w.for_you.recent, w.for_you.interest
            )
        } else {
            "vitrine for_you (model file + the session)".into()
        };
        r(&name, m);
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
