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

/// `tune` options: the inner cutoff, the search seed, and the builder's knobs.
struct Tune {
    samples: usize,
    cutoff: String,
    seed: u64,
    half_life: f64,
    top: usize,
    /// Settings to score besides the defaults, in the order the report prints them.
    given: Vec<Weights>,
    build: Options,
}

/// A setting from the 11 numbers a `tune` report prints: buy_again interest neighbours
/// embedding popularity trending price, buy-again half-life repeat trending popularity.
fn weights_from(text: &str) -> Result<Weights, String> {
    let v: Vec<f32> = text
        .split_whitespace()
        .map(|x| {
            x.parse()
                .map_err(|_| format!("--weights: not a number: {x}"))
        })
        .collect::<Result<_, _>>()?;
    let [ba, it, nb, emb, pop, tr, price, hl, rep, btr, bpop] = v[..] else {
        return Err("--weights takes 11 numbers".into());
    };
    let mut w = Weights::default();
    let f = &mut w.for_you;
    (f.buy_again, f.interest, f.neighbours, f.embedding) = (ba, it, nb, emb);
    (f.popularity, f.trending, f.price) = (pop, tr, price);
    let b = &mut w.buy_again;
    (b.half_life_days, b.repeat, b.trending, b.popularity) = (hl, rep, btr, bpop);
    Ok(w.clamped())
}

fn parse_tune(args: &[String], work: PathBuf) -> Result<Tune, String> {
    let mut t = Tune {
        samples: 100,
        cutoff: "2011-03-01".into(),
        seed: 11,
        half_life: 45.0,
        top: 12,
        given: Vec::new(),
        build: Options {
            temp_dir: work,
            ..Options::default()
        },
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Ok(n) = a.parse() {
            t.samples = n;
            continue;
        }
        let v = it.next().ok_or_else(|| format!("{a} needs a value"))?;
        let x = || {
            v.parse::<f64>()
                .map_err(|_| format!("{a}: not a number: {v}"))
        };
        let b = &mut t.build;
        match a.as_str() {
            "--cutoff" => t.cutoff = v.clone(),
            "--seed" => t.seed = x()? as u64,
            "--half-life" => t.half_life = x()?,
            "--top" => t.top = x()? as usize,
            "--weights" => t.given.push(weights_from(v)?),
            "--neighbours" => b.neighbours = x()? as usize,
            "--dims" => b.dims = x()? as usize,
            "--shrink" => b.shrink = x()?,
            "--popularity-half-life" => b.popularity_half_life_days = x()?,
            "--trending-half-life" => b.trending_half_life_days = x()?,
            "--repeat-prior" => b.repeat_prior = x()?,
            "--repeat-min-buyers" => b.repeat_min_buyers = x()? as u32,
            _ => return Err(format!("tune: unknown option {a}")),
        }
    }
    Ok(t)
}

/// Random search over the `for_you` and buy-again weights on an inner split of the training
/// period only: model from the orders before `--cutoff` (default 2011-03-01), scored on each
/// customer's first order from then to the real cutoff (2011-06-01). The first row is the
/// defaults.
fn tune_cmd(data: PathBuf, work: PathBuf, args: &[String]) -> Result<(), String> {
    let t = parse_tune(args, work)?;
    let loaded = uci::load(&data.join("uci-online-retail/by-day"))?;
    let cutoff = date("2011-06-01");
    let inner = date(&t.cutoff);
    if inner >= cutoff {
        return Err("tune: --cutoff must be before 2011-06-01, the real split".into());
    }
    let train: Vec<_> = loaded
        .orders
        .into_iter()
        .filter(|o| o.time < cutoff)
        .collect();
    let split = Split::new(train, inner);
    eprintln!(
        "inner split at {}: train orders {}, test customers {}",
        t.cutoff,
        split.train.len(),
        split.test.len()
    );
    let model = basket::build_model(&split, &loaded.titles, &t.build.temp_dir, &t.build)?;
    let k = 10;
    let topfreq = basket::evaluate_topfreq(&split, k);
    row("inner TOPFREQ", &topfreq);
    let mut rng = vitrine::rng::Rng::new(t.seed);
    let mut settings = vec![Weights::default()];
    settings.extend(t.given.iter().cloned());
    let given = settings.len();
    for _ in 0..t.samples {
        let mut w = Weights::default();
        let mut r = |hi: f64| (rng.unit() * hi) as f32;
        let f = &mut w.for_you;
        f.buy_again = 1.0 + r(7.0);
        f.interest = r(4.0);
        f.neighbours = r(1.5);
        f.embedding = r(1.5);
        f.popularity = r(1.0);
        f.trending = r(1.5);
        f.price = r(0.3);
        let b = &mut w.buy_again;
        b.half_life_days = [30.0, 60.0, 120.0, 240.0, 1000.0][(r(5.0) as usize).min(4)];
        b.repeat = r(1.0);
        b.trending = r(1.5);
        b.popularity = r(1.0);
        settings.push(w);
    }
    let results = basket::evaluate_vitrine(&model, &split, &settings, t.half_life, k);
    let mut best: Vec<(usize, &Metrics)> = results.iter().enumerate().collect();
    best.sort_by(|a, b| b.1.recall.total_cmp(&a.1.recall).then(a.0.cmp(&b.0)));
    println!(
        "profile half-life {} days: defaults {:.4} ({:+.1}% vs TOPFREQ)",
        t.half_life,
        results[0].recall,
        (results[0].recall / topfreq.recall - 1.0) * 100.0
    );
    println!("recall ndcg | buy_again interest neighbours embedding popularity trending price | ba: half-life repeat trending popularity");
    let top = best.into_iter().filter(|x| x.0 >= given).take(t.top);
    for (i, m) in results.iter().take(given).enumerate().chain(top) {
        let (f, b) = (&settings[i].for_you, &settings[i].buy_again);
        println!(
            "{:.4} {:.4} | {:.2} {:.2} {:.2} {:.2} {:.2} {:.2} {:.2} | {:.0} {:.2} {:.2} {:.2}{}",
            m.recall,
            m.ndcg,
            f.buy_again,
            f.interest,
            f.neighbours,
            f.embedding,
            f.popularity,
            f.trending,
            f.price,
            b.half_life_days,
            b.repeat,
            b.trending,
            b.popularity,
            match i {
                0 => "  (defaults)",
                i if i < given => "  (given)",
                _ => "",
            }
        );
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
        Some("tune") => tune_cmd(data, work.join("tune"), &args[1..]),
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
