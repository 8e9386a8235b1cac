//! `vitrine-bench`: the synthetic catalogs of the speed benchmarks, and the accuracy of the int8
//! scan against the exact one (see docs/BENCHMARKS.md).
//!
//! ```text
//! vitrine-bench catalog --items N --dims D [--seed S] --out FILE   a model file (seeded)
//! vitrine-bench recall  --items N --dims D [--seed S] [--shoppers P]  recall@10, int8 vs f32
//! ```

use std::process::ExitCode;
use std::time::Instant;
use vitrine::consent::ConsentInput;
use vitrine::model::{file, Model, ModelParts, Neighbours, NONE};
use vitrine::recommend::kernel::{self, Query};
use vitrine::rng::Rng;
use vitrine::session::{Env, OpenOptions, Session, StorageChoice};
use vitrine::store::MemoryBackend;
use vitrine::value::{obj, Value};

const CATEGORIES: usize = 200;
const BRANDS: usize = 500;
const NOW: f64 = 1_750_000_000_000.0;

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut Rng) -> f32 {
    let u = rng.unit().max(1e-12);
    let v = rng.unit();
    ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
}

fn unit(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// The benchmark catalog: `items` items in 200 categories and 500 brands, skewed popularity,
/// ten co-purchase and five co-view neighbours per item (mostly in its category), and unit
/// embeddings clustered by category (each row = its category's direction + as much noise).
pub fn catalog(items: usize, dims: usize, seed: u64) -> ModelParts {
    let mut rng = Rng::new(seed);
    let centres: Vec<Vec<f32>> = (0..CATEGORIES)
        .map(|_| {
            let mut c: Vec<f32> = (0..dims).map(|_| normal(&mut rng)).collect();
            unit(&mut c);
            c
        })
        .collect();
    let category: Vec<u32> = (0..items).map(|i| (i % CATEGORIES) as u32).collect();
    let mut embeddings = Vec::with_capacity(items * dims);
    for &c in &category {
        let mut row: Vec<f32> = (0..dims)
            .map(|_| normal(&mut rng) / (dims as f32).sqrt())
            .collect();
        row.iter_mut()
            .zip(&centres[c as usize])
            .for_each(|(x, m)| *x += m);
        unit(&mut row);
        embeddings.extend_from_slice(&row);
    }
    let same_category = |rng: &mut Rng, i: usize| -> u32 {
        if rng.unit() < 0.8 {
            let per = items.div_ceil(CATEGORIES);
            let j = (rng.below(per) * CATEGORIES + i % CATEGORIES) % items.max(1);
            j as u32
        } else {
            rng.below(items) as u32
        }
    };
    let neighbours = |count: usize, rng: &mut Rng| {
        Neighbours::from_rows(
            (0..items)
                .map(|i| {
                    let mut row: Vec<(u32, f32)> = Vec::with_capacity(count);
                    for k in 0..count {
                        let t = same_category(rng, i);
                        if t as usize != i && row.iter().all(|x| x.0 != t) {
                            row.push((t, 1.0 / (1.0 + k as f32)));
                        }
                    }
                    row
                })
                .collect(),
        )
    };
    let co_purchase = neighbours(10, &mut rng);
    let co_view = neighbours(5, &mut rng);
    let popularity: Vec<f32> = (0..items)
        .map(|_| (1000.0 * rng.unit().powi(4)) as f32)
        .collect();
    let trending = popularity.iter().map(|p| p * rng.unit() as f32).collect();
    ModelParts {
        ids: (0..items).map(|i| format!("i{i}")).collect(),
        titles: (0..items).map(|i| format!("Item {i}")).collect(),
        category: category.into(),
        categories: (0..CATEGORIES).map(|c| format!("c{c}")).collect(),
        brand: (0..items)
            .map(|i| {
                if i % 50 == 49 {
                    NONE
                } else {
                    (i % BRANDS) as u32
                }
            })
            .collect(),
        brands: (0..BRANDS).map(|b| format!("b{b}")).collect(),
        price: (0..items)
            .map(|_| (5.0 + 200.0 * rng.unit().powi(2)).round() as f32)
            .collect(),
        in_stock: (0..items).map(|_| rng.unit() < 0.97).collect(),
        sensitive: vec![false; items],
        popularity,
        trending,
        co_purchase,
        co_view,
        dims,
        embeddings: embeddings.into(),
        ..Default::default()
    }
}

/// A shopper's events: views and a few purchases in two favourite categories, some elsewhere.
pub fn shopper(items: usize, rng: &mut Rng) -> Vec<(&'static str, String)> {
    let favourite = [rng.below(CATEGORIES), rng.below(CATEGORIES)];
    (0..40)
        .map(|k| {
            let i = if rng.unit() < 0.8 {
                let c = favourite[rng.below(2)];
                (rng.below(items.div_ceil(CATEGORIES)) * CATEGORIES + c) % items
            } else {
                rng.below(items)
            };
            let name = if k % 8 == 7 {
                "Order Completed"
            } else {
                "Product Viewed"
            };
            (name, format!("i{i}"))
        })
        .collect()
}

fn session(model: Model) -> Session {
    let consent = obj(&[("personalization", Value::Bool(true))]);
    Session::open(
        OpenOptions {
            model,
            consent: Some(
                ConsentInput::parse("open", &consent, vitrine::policy::TcfPurposes::Core)
                    .expect("consent"),
            ),
            storage: StorageChoice::Memory,
            namespace: "bench".into(),
            policy: Default::default(),
            currency: None,
        },
        Box::new(MemoryBackend::new()),
        Env {
            now: NOW,
            seed: 1,
            gpc: false,
        },
    )
}

fn top_ids(s: &mut Session, k: usize) -> Vec<String> {
    let opts = obj(&[
        ("scenario", "for_you".into()),
        ("k", (k as f64).into()),
        ("diversity", 0.0.into()),
    ]);
    s.recommend(&opts, NOW)
        .expect("recommend")
        .into_iter()
        .map(|r| r.item_id)
        .collect()
}

/// Top `k` rows by a score, best first.
fn top_k(scores: impl Iterator<Item = (usize, f32)>, k: usize) -> Vec<usize> {
    let mut v: Vec<(usize, f32)> = scores.collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.into_iter().take(k).map(|x| x.0).collect()
}

fn recall(items: usize, dims: usize, seed: u64, shoppers: usize) -> Result<(), String> {
    let t = Instant::now();
    let model = Model::from_parts(catalog(items, dims, seed)).map_err(|e| e.to_string())?;
    let mut exact_model = model.clone();
    exact_model.set_exact_scan(true);
    // The same model through a file with int8 codes only (what `vitrine-model` writes): its
    // profile vectors are made from the codes too.
    let codes_only =
        Model::from_bytes(&model.to_file(file::Embeddings::Int8)).map_err(|e| e.to_string())?;
    let (mut fast, mut exact) = (session(model.clone()), session(exact_model));
    let mut int8 = session(codes_only);
    let consent = obj(&[("personalization", Value::Bool(true))]);
    let mut rng = Rng::new(seed ^ 0xBE4C);
    let (mut hits, mut total) = (0, 0);
    let mut int8_hits = 0;
    let (mut nn_hits, mut nn_total) = (0, 0);
    for _ in 0..shoppers {
        let events = shopper(items, &mut rng);
        for (name, id) in &events {
            let props = obj(&[("product_id", id.as_str().into())]);
            let name = Value::String((*name).into());
            for s in [&mut fast, &mut exact, &mut int8] {
                s.track(&name, &props, &Value::Undefined, NOW)
                    .map_err(|e| e.to_string())?;
            }
        }
        let (a, b) = (top_ids(&mut fast, 10), top_ids(&mut exact, 10));
        hits += a.iter().filter(|x| b.contains(x)).count();
        int8_hits += top_ids(&mut int8, 10)
            .iter()
            .filter(|x| b.contains(x))
            .count();
        total += b.len();
        for s in [&mut fast, &mut exact, &mut int8] {
            s.erase(NOW);
            s.set_consent(&consent, NOW, false)
                .map_err(|e| e.to_string())?;
        }

        // Nearest neighbours of one shopper-like vector by the embedding alone.
        let anchor = rng.below(items);
        let u = model
            .embedding(anchor as u32)
            .map_or(Vec::new(), |e| e.to_vec());
        let q = Query::new(&u, model.quantized().stride);
        let mut approx = Vec::with_capacity(items);
        kernel::scan(model.quantized(), &q, |i, d| approx.push((i, d)));
        let a = top_k(approx.into_iter(), 10);
        let e = top_k(
            model
                .embeddings()
                .chunks_exact(dims)
                .map(|r| kernel::dot(r, &u))
                .enumerate(),
            10,
        );
        nn_hits += a.iter().filter(|x| e.contains(x)).count();
        nn_total += e.len();
    }
    println!(
        "recall@10 of the int8 scan against the exact f32 scan, {items} items × {dims} dims, {shoppers} shoppers: \
         for_you {:.4} (model from a file with int8 codes only: {:.4}), embedding nearest neighbours {:.4} ({:.1}s)",
        hits as f64 / total.max(1) as f64,
        int8_hits as f64 / total.max(1) as f64,
        nn_hits as f64 / nn_total.max(1) as f64,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Native timings of one shopper's calls on a model file (for profiling the core). With
/// `after_event`, each `for_you` follows a view of one of the shopper's items (the profile changed);
/// with `events`, the shopper has made only that many of their 40 (`--events 1`: a new shopper's
/// first view).
fn time(path: &str, calls: usize, after_event: bool, events: usize) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let t = Instant::now();
    let model = Model::from_bytes(&bytes).map_err(|e| e.to_string())?;
    let open = t.elapsed().as_secs_f64() * 1e3;
    let n = model.len();
    let mut s = session(model);
    let mut rng = Rng::new(5);
    let t = Instant::now();
    for (name, id) in shopper(n, &mut rng).into_iter().take(events) {
        let props = obj(&[("product_id", id.as_str().into())]);
        s.track(&Value::String(name.into()), &props, &Value::Undefined, NOW)
            .map_err(|e| e.to_string())?;
    }
    let track = t.elapsed().as_secs_f64() * 1e6 / events.clamp(1, 40) as f64;
    let opts = obj(&[("scenario", "for_you".into()), ("k", 10.0.into())]);
    let views: Vec<Value> = shopper(n, &mut Rng::new(5))
        .into_iter()
        .map(|(_, id)| obj(&[("product_id", id.as_str().into())]))
        .collect();
    let viewed = Value::String("Product Viewed".into());
    let rows = rows_scored();
    let t = Instant::now();
    for (call, props) in (0..calls).zip(views.iter().cycle()) {
        let now = NOW + call as f64 * 50.0;
        if after_event {
            s.track(&viewed, props, &Value::Undefined, now)
                .map_err(|e| e.to_string())?;
        }
        s.recommend(&opts, now).map_err(|e| e.to_string())?;
    }
    let rec = t.elapsed().as_secs_f64() * 1e3 / calls as f64;
    let rows = (rows_scored() - rows) / calls as u64;
    println!("{n} items: open {open:.1} ms, track {track:.1} µs, for_you {rec:.3} ms");
    if cfg!(feature = "scan-stats") {
        let similar = obj(&[
            ("scenario", "similar".into()),
            (
                "itemId",
                views[0].get("product_id").cloned().unwrap_or(Value::Null),
            ),
        ]);
        let before = rows_scored();
        s.recommend(&similar, NOW).map_err(|e| e.to_string())?;
        let similar = rows_scored() - before;
        println!("rows scored per call: for_you {rows} of {n}, similar {similar}");
    }
    Ok(())
}

/// Rows the scans have scored so far (0 without `--features scan-stats`).
fn rows_scored() -> u64 {
    #[cfg(feature = "scan-stats")]
    return kernel::ROWS_SCORED.load(std::sync::atomic::Ordering::Relaxed);
    #[cfg(not(feature = "scan-stats"))]
    0
}

fn flag<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    args.iter()
        .position(|a| a == name)
        .and_then(|p| args.get(p + 1))
        .and_then(|v| v.parse().ok())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let items = flag(&args, "--items").unwrap_or(100_000usize);
    let dims = flag(&args, "--dims").unwrap_or(64usize);
    let seed = flag(&args, "--seed").unwrap_or(7u64);
    let r = match args.first().map(String::as_str) {
        Some("catalog") => match flag::<String>(&args, "--out") {
            Some(out) => Model::from_parts(catalog(items, dims, seed))
                .map_err(|e| e.to_string())
                .and_then(|m| {
                    let embeddings = match flag::<String>(&args, "--embeddings").as_deref() {
                        Some("f32") => file::Embeddings::F32,
                        _ => file::Embeddings::Int8,
                    };
                    std::fs::write(&out, m.to_file(embeddings)).map_err(|e| e.to_string())
                }),
            None => Err("catalog needs --out FILE".into()),
        },
        Some("time") => match flag::<String>(&args, "--model") {
            Some(path) => time(
                &path,
                flag(&args, "--calls").unwrap_or(100),
                args.iter().any(|a| a == "--after-event"),
                flag(&args, "--events").unwrap_or(40),
            ),
            None => Err("time needs --model FILE".into()),
        },
        Some("recall") => recall(
            items,
            dims,
            seed,
            flag(&args, "--shoppers").unwrap_or(200),
        ),
        _ => Err("usage: vitrine-bench catalog|recall --items N --dims D [--seed S] [--out FILE] [--embeddings int8|f32] [--shoppers P] | time --model FILE [--calls N] [--after-event] [--events N]".into()),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vitrine-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
