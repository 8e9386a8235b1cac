use super::*;
use crate::model::file::Embeddings;
use crate::model::Model;
use crate::rng::Rng;
use std::io::Write;

/// A folder for one test's files.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vitrine-build-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Seeded synthetic order lines: shoppers buy within a few themes, so items of a theme co-occur.
pub(crate) fn synthetic_csv(orders: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut s = String::from("user_id,order_id,item_id,quantity,price,timestamp\n");
    for o in 0..orders {
        let theme = rng.below(5);
        let t = 1_300_000_000_000u64 + o as u64 * 3_600_000;
        for _ in 0..2 + rng.below(5) {
            let item = theme * 20 + rng.below(20);
            s.push_str(&format!(
                "u{},o{o},sku-{item},{},{}.5,{t}\n",
                rng.below(50),
                1 + rng.below(3),
                item % 7
            ));
        }
    }
    s
}

fn quiet() -> Options {
    Options {
        temp_dir: std::env::temp_dir(),
        dims: 8,
        ..Options::default()
    }
}

fn build_str(
    dir: &Path,
    name: &str,
    text: &[u8],
    o: &Options,
) -> Result<(ModelParts, Report), BuildError> {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    build(&p, None, o)
}

#[test]
fn co_purchase_neighbours_follow_themes() {
    let dir = scratch("themes");
    let (parts, report) =
        build_str(&dir, "i.csv", synthetic_csv(2000, 1).as_bytes(), &quiet()).unwrap();
    assert_eq!(report.bad, 0);
    assert_eq!(report.items, 100);
    let m = Model::from_parts(parts).unwrap();
    let theme = |id: &str| id[4..].parse::<usize>().unwrap() / 20;
    let mut same = 0;
    let mut total = 0;
    for i in 0..m.len() as u32 {
        for &j in m.co_purchase().of(i).0.iter().take(5) {
            total += 1;
            same += usize::from(theme(m.id(i)) == theme(m.id(j)));
        }
    }
    assert!(total > 300 && same == total, "{same}/{total}");
    // Embeddings separate themes too.
    let row = |id| m.embedding(m.index_of(id).unwrap()).unwrap().to_vec();
    let (a, b, c) = (&row("sku-1"), &row("sku-2"), &row("sku-41"));
    let dot = |x: &[f32], y: &[f32]| x.iter().zip(y).map(|(p, q)| p * q).sum::<f32>();
    assert!(
        dot(a, b) > dot(a, c) + 0.3,
        "{} vs {}",
        dot(a, b),
        dot(a, c)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn gzip_json_lines_and_tiny_memory_give_the_same_model() {
    let dir = scratch("formats");
    let csv = synthetic_csv(600, 2);
    let (base, _) = build_str(&dir, "i.csv", csv.as_bytes(), &quiet()).unwrap();

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(csv.as_bytes()).unwrap();
    let (from_gz, _) = build_str(&dir, "i.csv.gz", &gz.finish().unwrap(), &quiet()).unwrap();
    assert_eq!(from_gz, base);

    let mut jsonl = String::new();
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        jsonl.push_str(&format!(
            "{{\"user_id\":\"{}\",\"order_id\":\"{}\",\"item_id\":\"{}\",\"quantity\":{},\"price\":{},\"timestamp\":{}}}\n",
            f[0], f[1], f[2], f[3], f[4], f[5]
        ));
    }
    let (from_json, _) = build_str(&dir, "i.jsonl", jsonl.as_bytes(), &quiet()).unwrap();
    assert_eq!(from_json, base);

    let tiny = Options {
        memory_bytes: 2 * 1024 * pairs::ENTRY_BYTES,
        ..quiet()
    };
    let (spilled, report) = build_str(&dir, "i.csv", csv.as_bytes(), &tiny).unwrap();
    assert!(report.spilled_runs > 0, "the test must exercise spilling");
    assert_eq!(spilled, base);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_rows_are_counted_with_line_numbers_and_fatal_over_the_threshold() {
    let dir = scratch("bad");
    let mut csv = synthetic_csv(300, 3);
    csv.push_str("u1,o-x,,1,1,2011-01-01\n");
    csv.push_str("u1,o-x,sku-1,1,1,not a time\n");
    csv.push_str("u1,o-x,sku-1,one,1,2011-01-01\n");
    csv.push_str("u1,o-x,sku-1,1\n");
    csv.push_str("u1,o-x,sku-1,-5,1,2011-01-01\n");
    // Found by the builder fuzz target: a time this far out overflowed the age computation.
    csv.push_str("u1,o-x,sku-1,1,1,1e300\n");
    let lines = csv.lines().count() as u64;
    let (_, r) = build_str(&dir, "i.csv", csv.as_bytes(), &quiet()).unwrap();
    assert_eq!((r.bad, r.non_positive), (5, 1));
    let lines_reported: Vec<u64> = r.bad_examples.iter().map(|e| e.1).collect();
    assert_eq!(
        lines_reported,
        [lines - 5, lines - 4, lines - 3, lines - 2, lines]
    );
    assert!(
        r.bad_examples[4].2.contains("outside the years"),
        "{:?}",
        r.bad_examples
    );
    assert!(
        r.bad_examples[1].2.contains("timestamp 'not a time'"),
        "{:?}",
        r.bad_examples
    );
    assert!(
        r.bad_examples[3].2.contains("has 4 fields"),
        "{:?}",
        r.bad_examples
    );

    let strict = Options {
        max_bad_fraction: 0.001,
        ..quiet()
    };
    let e = build_str(&dir, "i.csv", csv.as_bytes(), &strict)
        .unwrap_err()
        .to_string();
    assert!(e.contains("5 of") && e.contains("rows are bad"), "{e}");
    let e = build_str(&dir, "h.csv", b"order,item\n1,2\n", &quiet())
        .unwrap_err()
        .to_string();
    assert!(e.contains("no order_id column"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn catalog_attributes_and_sessions() {
    let dir = scratch("catalog");
    let interactions = "\
order_id,item_id,timestamp,event
s1,a,2011-01-01T10:00:00Z,view
s1,b,2011-01-01T10:01:00Z,view
s1,c,2011-01-01T10:02:00Z,view
s2,a,2011-01-02T10:00:00Z,view
s2,b,2011-01-02T10:01:00Z,view
s3,b,2011-01-03T10:00:00Z,purchase
";
    let catalog = "\
{\"id\": \"a\", \"title\": \"Amber\", \"category\": \"Candles\", \"brand\": \"Lumen\", \"price\": 12, \"tags\": [\"soy\"], \"embedding\": [1, 0]}
{\"id\": \"b\", \"category\": \"CA\\u0301NDLES\\u00a0\", \"inStock\": false, \"embedding\": [0, 1]}
{\"id\": \"z\", \"title\": \"Never sold\", \"sensitive\": true, \"embedding\": [1, 1]}
";
    std::fs::write(dir.join("i.csv"), interactions).unwrap();
    std::fs::write(dir.join("c.jsonl"), catalog).unwrap();
    let o = Options {
        min_support: 1,
        ..quiet()
    };
    let (parts, r) = build(&dir.join("i.csv"), Some(&dir.join("c.jsonl")), &o).unwrap();
    assert_eq!(r.catalog_items, 3);
    let m = Model::from_parts(parts).unwrap();
    assert_eq!(
        m.len(),
        4,
        "catalog items and items seen only in interactions"
    );
    let (a, b, z) = (
        m.index_of("a").unwrap(),
        m.index_of("b").unwrap(),
        m.index_of("z").unwrap(),
    );
    assert_eq!(m.title(a), "Amber");
    // One category however it is spelled, by the key the SDK matches names by.
    assert_eq!(m.category(a), m.category(b));
    assert!(!m.in_stock(b) && m.sensitive(z) && m.popularity(z) == 0.0);
    assert_eq!(m.dims(), 2, "catalog embeddings win over learned ones");
    // a-b adjacent twice (weight 3 each), b-c adjacent once, a-c two apart once.
    assert_eq!(m.co_view().of(a).0[0], b);
    assert!(m.co_purchase().is_empty() || m.co_purchase().of(b).0.is_empty());
    assert!(
        m.popularity(b) > m.popularity(a),
        "a purchase outweighs views"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_committed_fixture_is_what_the_builder_makes_and_it_loads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let o = Options {
        dims: 8,
        ..Options::default()
    };
    let (parts, _) = build(
        &dir.join("tiny-interactions.csv"),
        Some(&dir.join("tiny-catalog.csv")),
        &o,
    )
    .unwrap();
    let model = Model::from_parts(parts).unwrap();
    // What `vitrine-model build` writes (int8 codes only, version 3) and, with `--embeddings
    // f32`, the f32 rows too (version 2); both with the ids' hash table (`IDHX`).
    let built_v3 = model.to_file(Embeddings::Int8);
    let committed = std::fs::read(dir.join("tiny-v3-idhx.vtr")).unwrap();
    assert!(
        built_v3 == committed,
        "the builder's output changed: bump the format version and add a fixture"
    );
    let built = model.to_file(Embeddings::F32);
    let committed = std::fs::read(dir.join("tiny-v2-idhx.vtr")).unwrap();
    assert!(
        built == committed,
        "the builder's output with f32 rows changed: bump the format version and add a fixture"
    );
    let m = Model::from_bytes(&committed).unwrap();
    assert_eq!(m.len(), 30);
    assert_eq!(
        m.category_name(m.category(m.index_of("mugs-1").unwrap())),
        Some("Mugs")
    );
    assert!(!m.in_stock(m.index_of("throws-29").unwrap()));
    assert!(m.repeat_rate(0).is_some());
    // The version-1 file of the same build (CRC-32, no stored codes) loads as the same model:
    // the same parts and the same int8 codes, computed on load there.
    let v1 = Model::from_bytes(&std::fs::read(dir.join("tiny-v1-repeat.vtr")).unwrap()).unwrap();
    assert_eq!(v1.parts(), m.parts());
    assert_eq!(v1.quantized(), m.quantized());
    // The file written before the REPT section existed still loads, without repeat rates, and
    // holds everything else the current build makes.
    // The version-2 file written before the ORDP and ORDT sections existed loads as the same
    // model, its popularity and trending orders computed on load.
    let v2 = Model::from_bytes(&std::fs::read(dir.join("tiny-v2.vtr")).unwrap()).unwrap();
    assert_eq!(v2.parts(), m.parts());
    assert_eq!(v2.by_popularity(), m.by_popularity());
    assert_eq!(v2.by_trending(), m.by_trending());
    // The int8-only file loads as the same model, with the same codes and without f32 rows.
    let v3 = Model::from_bytes(&std::fs::read(dir.join("tiny-v3-idhx.vtr")).unwrap()).unwrap();
    assert_eq!(v3.quantized().codes, m.quantized().codes);
    assert!(v3.embeddings().is_empty() && v3.dims() == m.dims());
    assert_eq!(v3.to_file(Embeddings::Int8), built_v3);
    // The files written before the IDHX section existed (with `IDOR`, the ids' sorted order,
    // which is no longer read) load as the same models, the table built on load.
    let before = |name: &str| Model::from_bytes(&std::fs::read(dir.join(name)).unwrap()).unwrap();
    assert_eq!(before("tiny-v2-orders.vtr").parts(), m.parts());
    let old_v3 = before("tiny-v3.vtr");
    assert_eq!(old_v3.parts(), v3.parts());
    assert_eq!(old_v3.to_file(Embeddings::Int8), built_v3);
    for i in 0..m.len() as u32 {
        assert_eq!(old_v3.index_of(m.id(i)), Some(i));
        assert_eq!(v3.index_of(m.id(i)), Some(i));
    }
    let old = Model::from_bytes(&std::fs::read(dir.join("tiny-v1.vtr")).unwrap()).unwrap();
    assert_eq!(old.repeat_rate(0), None);
    assert_eq!(
        old.parts(),
        &ModelParts {
            repeat: Vec::new(),
            ..m.parts().clone()
        }
    );
}

#[test]
fn repeat_rates_count_buyers_who_bought_again() {
    let dir = scratch("repeat");
    // a: bought by u1 (twice), u2 (twice), u3 (once; two lines of one order count once);
    // b: u1 once, u2 twice. Guest orders, returns and views do not count.
    let csv = "\
user_id,order_id,item_id,quantity,price,timestamp,event
u1,o1,a,1,1,1000,purchase
u1,o1,b,1,1,1000,purchase
u1,o2,a,1,1,2000,purchase
u2,o3,a,1,1,3000,purchase
u2,o4,a,1,1,4000,purchase
u2,o4,b,1,1,4000,purchase
u2,o5,b,1,1,5000,purchase
u3,o6,a,1,1,6000,purchase
u3,o6,a,2,1,6000,purchase
,o7,b,1,1,7000,purchase
,o8,b,1,1,8000,purchase
u3,o9,b,-1,1,9000,purchase
u3,s1,b,1,1,9500,view
";
    let o = Options {
        repeat_min_buyers: 1,
        ..quiet()
    };
    let (parts, _) = build_str(&dir, "i.csv", csv.as_bytes(), &o).unwrap();
    let m = Model::from_parts(parts).unwrap();
    let rate = |id: &str| m.repeat_rate(m.index_of(id).unwrap()).unwrap();
    // Overall 3 of 5 buyers; a: (2 + 2 · 0.6) / (3 + 2), b: (1 + 2 · 0.6) / (2 + 2).
    assert!((rate("a") - 0.64).abs() < 1e-6, "{}", rate("a"));
    assert!((rate("b") - 0.55).abs() < 1e-6, "{}", rate("b"));
    // Too few buyers: the overall rate.
    let o = Options {
        repeat_min_buyers: 3,
        ..quiet()
    };
    let (parts, _) = build_str(&dir, "i.csv", csv.as_bytes(), &o).unwrap();
    assert!((parts.repeat[m.index_of("b").unwrap() as usize] - 0.6).abs() < 1e-6);
    // No user_id column: no repeat rates, and the file has no REPT section.
    let anonymous: String = csv
        .lines()
        .map(|l| l.split_once(',').unwrap().1)
        .collect::<Vec<_>>()
        .join("\n");
    let (parts, _) = build_str(&dir, "j.csv", anonymous.as_bytes(), &quiet()).unwrap();
    assert!(parts.repeat.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Numbers that JSON holds but an `f32` cannot (found by the `builder` fuzz target: 1e58 in an
/// embedding became infinity and the model failed its own check) are bad rows that say why.
#[test]
fn catalog_numbers_beyond_f32_are_refused() {
    let dir = scratch("f32-range");
    std::fs::write(
        dir.join("i.csv"),
        "order_id,item_id,timestamp\no1,a,2011-01-01T10:00:00Z\n",
    )
    .unwrap();
    let o = Options {
        min_support: 1,
        max_bad_fraction: 1.0,
        ..quiet()
    };
    for (row, want) in [
        (
            r#"{"id": "b", "embedding": [0, 1e58, 1]}"#,
            "embedding must hold finite numbers of at most 3.4e38",
        ),
        (
            r#"{"id": "b", "price": 1e300}"#,
            "price '1e+300' is not a non-negative number of at most 3.4e38",
        ),
    ] {
        let catalog = format!("{{\"id\": \"a\", \"embedding\": [1, 0, 0]}}\n{row}\n");
        std::fs::write(dir.join("c.jsonl"), catalog).unwrap();
        let (parts, r) = build(&dir.join("i.csv"), Some(&dir.join("c.jsonl")), &o).unwrap();
        assert!(
            r.bad_examples.iter().any(|b| b.2.contains(want)),
            "{:?}",
            r.bad_examples
        );
        let m = Model::from_parts(parts).unwrap();
        assert!(m.index_of("b").is_none(), "the bad row is left out");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// What a shop's own exports look like when they go wrong (a user audit's cases).
#[test]
fn messy_exports_are_read_or_refused_with_the_lines_that_are_wrong() {
    let dir = scratch("messy");
    let header = "user_id,order_id,item_id,quantity,price,timestamp\n";
    let good = |n: usize| -> String {
        (0..n)
            .map(|i| format!("u{i},o{i},sku-{},1,5,2024-06-0{}\n", i % 3, 1 + i % 9))
            .collect()
    };
    // Too many bad rows: the error itself lists them (nothing "above" when the build fails).
    let twice = format!("{header}{}{header}{}", good(8), good(8));
    let err = build_str(&dir, "twice.csv", twice.as_bytes(), &quiet())
        .unwrap_err()
        .to_string();
    assert!(err.contains("1 of 17 rows are bad"), "{err}");
    assert!(
        err.contains("twice.csv:10: timestamp 'timestamp' is neither"),
        "{err}"
    );
    // A refund (negative quantity and amount) is a return, not a bad row.
    let refund = format!("{header}{}u1,o6,sku-1,-1,-5.00,2024-06-04\n", good(5));
    let (_, r) = build_str(&dir, "refund.csv", refund.as_bytes(), &quiet()).unwrap();
    assert_eq!((r.used, r.non_positive, r.bad), (5, 1, 0));
    // A byte-order mark before a quoted header (pandas' QUOTE_ALL with utf-8-sig).
    let quoted: String = format!("{header}{}", good(6))
        .lines()
        .map(|l| {
            let cells: Vec<String> = l.split(',').map(|c| format!("\"{c}\"")).collect();
            cells.join(",") + "\n"
        })
        .collect();
    let bom = [b"\xEF\xBB\xBF".as_slice(), quoted.as_bytes()].concat();
    let (_, r) = build_str(&dir, "bom.csv", &bom, &quiet()).unwrap();
    assert_eq!((r.used, r.bad), (6, 0));
    // JSON Lines with a byte-order mark; integers beyond 2^53 are refused, not rounded.
    let jl = "\u{feff}{\"order_id\": 1, \"item_id\": \"a\", \"timestamp\": 1.7e12}\n\
              {\"order_id\": 9007199254740993, \"item_id\": \"a\", \"timestamp\": 1.7e12}\n";
    let o = Options {
        max_bad_fraction: 1.0,
        ..quiet()
    };
    let (_, r) = build_str(&dir, "bom.jsonl", jl.as_bytes(), &o).unwrap();
    assert_eq!((r.used, r.bad), (1, 1));
    assert!(r.bad_examples[0]
        .2
        .contains("9007199254740993 is too large an integer"));
    // A quoted field that goes on past its line says so.
    let multi = format!("{header}u1,o1,\"sku\n1\",1,5,2024-06-01\n{}", good(3));
    let (_, r) = build_str(&dir, "multi.csv", multi.as_bytes(), &o).unwrap();
    assert!(
        r.bad_examples[0].2.ends_with("fields cannot span lines)"),
        "{:?}",
        r.bad_examples
    );
    // Nothing usable: an error, not an empty model.
    let err = build_str(&dir, "header.csv", header.as_bytes(), &quiet())
        .unwrap_err()
        .to_string();
    assert!(err.contains("no line can be used"), "{err}");
}

#[test]
fn catalog_rows_count_against_the_catalog_and_share_one_embedding_width() {
    let dir = scratch("catalog-bad");
    let mut orders = String::from("order_id,item_id,timestamp\n");
    for i in 0..50 {
        orders.push_str(&format!("o{i},a,2024-06-01\n"));
    }
    std::fs::write(dir.join("o.csv"), orders).unwrap();
    // 1 bad catalog row in 101: within 1 % of the catalog; the orders are all good.
    let mut catalog = String::from("{\"id\": \"a\", \"embedding\": [1, 0, 0, 0]}\n");
    catalog.push_str("{\"id\": \"b\", \"embedding\": [0.5, 0.1, 0.3]}\n");
    for i in 0..99 {
        catalog.push_str(&format!("{{\"id\": \"c{i}\"}}\n"));
    }
    std::fs::write(dir.join("c.jsonl"), catalog).unwrap();
    let (parts, r) = build(&dir.join("o.csv"), Some(&dir.join("c.jsonl")), &quiet()).unwrap();
    assert_eq!((r.bad, r.catalog_bad), (0, 1));
    assert_eq!(
        r.bad_examples[0].2,
        "embedding has 3 numbers, the one on line 1 has 4"
    );
    assert_eq!(parts.dims, 4);
}

/// Writes `files` (name, bytes) into `dir` and returns the path of the first.
fn write(dir: &Path, files: &[(&str, &[u8])]) -> PathBuf {
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    dir.join(files[0].0)
}

fn tolerant() -> Options {
    Options {
        max_bad_fraction: 1.0,
        min_support: 1,
        ..quiet()
    }
}

/// PRIVACY: a catalog row the builder refuses may have said the item is sensitive or out of
/// stock. Its item used to come in from the interactions in stock and not sensitive, so a
/// sensitive, out-of-stock product showed on shelves. It fails closed now; and an item sold but
/// missing from a catalog given (a deleted product) is kept for its co-occurrence but out of stock.
#[test]
fn items_of_refused_catalog_rows_fail_closed_and_unlisted_ones_are_out_of_stock() {
    let dir = scratch("fail-closed");
    let long = "x".repeat(1100);
    let catalog = format!(
        "item_id,title,price,in_stock,sensitive\n\
         ok,Mug,10,true,false\n\
         long,{long},10,false,true\n\
         euro,Pills,€20,false,true\n\
         five,Test kit,10,5,true\n\
         comma,Kit, large,10,false,true\n\
         twice,Lotion,10,true,false\n\
         twice,Lotion,10,true,true\n\
         unsold,Never sold,€1,true,true\n"
    );
    let mut catalog = catalog.into_bytes();
    // A Windows-1252 title: the line is not UTF-8, its id is still read.
    catalog.extend_from_slice(b"latin,Caf\xe9,10,false,true\n");
    let mut orders = String::from("order_id,item_id,timestamp\n");
    for (o, items) in [
        ["ok", "long"],
        ["euro", "five"],
        ["comma", "twice"],
        ["latin", "gone"],
        ["ok", "gone"],
    ]
    .iter()
    .enumerate()
    {
        for i in items {
            orders.push_str(&format!("o{o},{i},2024-06-01\n"));
        }
    }
    let i = write(&dir, &[("o.csv", orders.as_bytes()), ("c.csv", &catalog)]);
    let (parts, r) = build(&i, Some(&dir.join("c.csv")), &tolerant()).unwrap();
    assert_eq!(r.catalog_bad, 7, "{:?}", r.bad_examples);
    assert_eq!(r.refused_in_model, 5);
    assert_eq!(
        (r.not_in_catalog, r.not_in_catalog_example.as_deref()),
        (1, Some("gone"))
    );
    let m = Model::from_parts(parts).unwrap();
    let at = |id: &str| m.index_of(id).unwrap_or_else(|| panic!("{id}"));
    for refused in ["long", "euro", "five", "comma", "latin"] {
        let i = at(refused);
        assert!(!m.in_stock(i) && m.sensitive(i), "{refused} fails closed");
    }
    let gone = at("gone");
    assert!(!m.in_stock(gone) && !m.sensitive(gone) && m.title(gone).is_empty());
    assert!(
        m.co_purchase().of(at("ok")).0.contains(&gone),
        "its co-occurrence is kept"
    );
    assert!(m.in_stock(at("ok")) && !m.sensitive(at("ok")));
    // A repeated row is refused, but what it says against showing the item holds.
    assert!(m.sensitive(at("twice")) && m.in_stock(at("twice")));
    assert!(m.index_of("unsold").is_none(), "a refused row adds no item");

    // The same from sql/cooccurrence.sql's output.
    let pop =
        "item_id,lines,baskets,sessions,popularity,trending,price,price_lines,reference_time\n\
               ok,1,1,0,1,1,,0,1717200000000\n\
               euro,1,1,0,1,1,,0,1717200000000\n\
               gone,1,1,0,1,1,,0,1717200000000\n";
    write(
        &dir,
        &[
            ("pop.csv", pop.as_bytes()),
            ("pairs.csv", b"kind,item_a,item_b,weight\n"),
        ],
    );
    let (parts, r) = build_from_counts(
        &dir.join("pairs.csv"),
        &dir.join("pop.csv"),
        Some(&dir.join("c.csv")),
        &tolerant(),
    )
    .unwrap();
    assert_eq!((r.refused_in_model, r.not_in_catalog), (1, 1));
    let m = Model::from_parts(parts).unwrap();
    let euro = m.index_of("euro").unwrap();
    assert!(!m.in_stock(euro) && m.sensitive(euro));
    assert!(!m.in_stock(m.index_of("gone").unwrap()));
    assert!(m.in_stock(m.index_of("ok").unwrap()));

    // A catalog that lists nothing would leave nothing in stock: an error, not such a model.
    write(&dir, &[("empty.csv", b"item_id,title\n")]);
    let e = build(&i, Some(&dir.join("empty.csv")), &tolerant())
        .unwrap_err()
        .to_string();
    assert!(e.contains("empty.csv: lists no item"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Epoch seconds mixed with milliseconds or ISO dates, GA4's microseconds and compact dates
/// were read as 1970 or refused without the value.
#[test]
fn timestamps_that_would_be_misread_are_refused_or_warned_about() {
    let dir = scratch("misread-times");
    let mut csv = String::from("order_id,item_id,timestamp\n");
    for d in 1..=9 {
        csv.push_str(&format!("a{d},A,2024-06-0{d} 10:00:00 +0200\n"));
        csv.push_str(&format!("m{d},A,171724{d}000000\n"));
    }
    csv.push_str("s1,B,1717236000\ns2,B,1717239600\n");
    csv.push_str("g1,C,1717242300123456\ng2,C,20240601\ng3,C,2024-02-30\n");
    let i = write(&dir, &[("mixed.csv", csv.as_bytes())]);
    let (_, r) = build(&i, None, &tolerant()).unwrap();
    assert_eq!((r.used, r.bad), (20, 3));
    let why: Vec<&str> = r.bad_examples.iter().map(|b| b.2.as_str()).collect();
    assert_eq!(
        why,
        [
            "timestamp '1717242300123456' is outside the years 0000–9999 as epoch milliseconds; \
             microseconds? divide by 1000",
            "timestamp '20240601' is a compact date (YYYYMMDD), which is not read: write it as \
             YYYY-MM-DD (2024-06-01), or give epoch milliseconds",
            "timestamp '2024-02-30' is a day that does not exist",
        ]
    );
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(
        r.warnings[0].starts_with(&format!(
            "2 lines have a numeric timestamp before 1973 while others are later (the first: \
             {}:20: '1717236000')",
            i.display()
        )),
        "{}",
        r.warnings[0]
    );
    // All of them epoch seconds: the one warning that says so, not both.
    let secs = write(
        &dir,
        &[("secs.csv", b"order_id,item_id,timestamp\no1,A,1717236000\n")],
    );
    let (_, r) = build(&secs, None, &tolerant()).unwrap();
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(r.warnings[0].starts_with("every timestamp is before 1973"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Files that are not UTF-8 CSV or JSON Lines were all "has no header line" or a missing column.
#[test]
fn files_that_are_not_utf8_csv_or_json_lines_say_what_they_are() {
    let dir = scratch("not-csv");
    let csv = "order_id,item_id,timestamp\no1,A,2024-06-01\no1,B,2024-06-01\n";
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(csv.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let mut zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec();
    zip.extend_from_slice(csv.as_bytes());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&utf16).unwrap();
    let cases: [(&str, Vec<u8>, &str); 7] = [
        ("orders.zip", zip, "is a zip archive"),
        (
            "u16.csv",
            utf16,
            "is UTF-16 (Excel's \"Unicode text\"): save it as CSV UTF-8",
        ),
        ("u16.csv.gz", gz.finish().unwrap(), "is UTF-16"),
        (
            "latin.csv",
            b"order_id,item_id,timestamp,Bestellstatus f\xfcr\no1,A,2024-06-01,ok\n".to_vec(),
            "latin.csv:1: the header line is not UTF-8 (Latin-1 or Windows-1252",
        ),
        (
            "arr.json",
            b"[{\"order_id\":\"o1\",\"item_id\":\"A\",\"timestamp\":\"2024-06-01\"}]\n".to_vec(),
            "is a JSON array: write one object per line (JSON Lines)",
        ),
        (
            "cr.csv",
            csv.replace('\n', "\r").into_bytes(),
            "uses CR line endings",
        ),
        ("empty.csv", Vec::new(), "empty.csv: is empty"),
    ];
    for (name, bytes, says) in cases {
        let p = write(&dir, &[(name, &bytes)]);
        let e = build(&p, None, &quiet()).unwrap_err().to_string();
        assert!(e.contains(says), "{name}: {e}");
    }
    // Rows that are only separators (a spreadsheet's empty rows) are blank lines, not bad rows;
    // ids in Excel's scientific notation get a warning.
    let p = write(
        &dir,
        &[(
            "excel.csv",
            b"order_id,item_id,timestamp\r\n5.55E+12,A,2024-06-01\r\n5.55E+12,B,2024-06-01\r\n,,\r\n\"\",,\r\n",
        )],
    );
    let (_, r) = build(&p, None, &quiet()).unwrap();
    assert_eq!((r.rows, r.used, r.bad), (2, 2, 0));
    assert!(
        r.warnings[0].starts_with(&format!(
            "2 lines have an id or time in scientific notation (the first: {}:2: order_id '5.55E+12')",
            p.display()
        )),
        "{:?}",
        r.warnings
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// JSON keys match whatever their case, as CSV headers do; an empty JSON string is absent, as an
/// empty CSV cell is; every documented alias is read; tags follow the browser's limit.
#[test]
fn json_keys_and_aliases_read_as_csv_headers_do() {
    let dir = scratch("keys");
    let jl = "{\"Order_ID\":\"o1\",\"ItemId\":\"A\",\"TS\":\"2024-06-01\",\"price\":\"\",\"Quantity\":\"\",\"event\":\"\"}\n\
              {\"orderid\":\"o1\",\"product_id\":\"B\",\"time\":\"2024-06-01\",\"qty\":null}\n\
              {\"session_id\":\"o2\",\"item_id\":\"A\",\"timestamp\":\"2024-06-01\",\"quantity\":\"two\"}\n";
    let cat =
        "{\"ID\":\"A\",\"Name\":\"Mug\",\"InStock\":false,\"Sensitive\":true,\"Tags\":[\"a\"]}\n\
               {\"Item_Id\":\"B\",\"Title\":\"Tea\",\"Price\":\"\"}\n";
    let i = write(
        &dir,
        &[("i.jsonl", jl.as_bytes()), ("c.jsonl", cat.as_bytes())],
    );
    let (parts, r) = build(&i, Some(&dir.join("c.jsonl")), &tolerant()).unwrap();
    assert_eq!(
        (r.used, r.bad, r.catalog_bad),
        (2, 1, 0),
        "{:?}",
        r.bad_examples
    );
    assert_eq!(r.bad_examples[0].2, "quantity 'two' is not a number");
    let m = Model::from_parts(parts).unwrap();
    let (a, b) = (m.index_of("A").unwrap(), m.index_of("B").unwrap());
    assert_eq!((m.title(a), m.title(b)), ("Mug", "Tea"));
    assert!(!m.in_stock(a) && m.sensitive(a) && m.in_stock(b));
    assert_eq!(m.co_purchase().of(a).0, [b]);

    // `customerid` is a user column as `userid` is; CSV aliases of the catalog.
    let csv = "CustomerID,OrderID,ItemID,Qty,TS\nc1,o1,A,1,2024-06-01\nc1,o2,A,1,2024-06-02\n";
    let cat = "ID,Name,InStock,Sensitive,Tags\nA,Mug,no,yes,gift\n";
    let i = write(
        &dir,
        &[("i.csv", csv.as_bytes()), ("c.csv", cat.as_bytes())],
    );
    let o = Options {
        repeat_min_buyers: 1,
        ..tolerant()
    };
    let (parts, _) = build(&i, Some(&dir.join("c.csv")), &o).unwrap();
    assert_eq!(parts.repeat, [1.0], "c1 bought A twice");
    let m = Model::from_parts(parts).unwrap();
    assert_eq!(m.title(0), "Mug");
    assert!(!m.in_stock(0) && m.sensitive(0));

    // The browser's `catalog` option refuses tags over 256 bytes: so does the builder.
    let cat = format!("item_id,tags\nA,short|{}\nB,ok\n", "t".repeat(257));
    write(&dir, &[("c.csv", cat.as_bytes())]);
    let (_, r) = build(&i, Some(&dir.join("c.csv")), &o).unwrap();
    assert_eq!(
        r.bad_examples[0].2,
        "tag 'tttttttttttttttttttt…' is longer than 256 bytes"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Shopify exports put the customer on an order's first line only: the other lines of the order
/// were taken as a guest's, so nobody bought their items again.
#[test]
fn lines_without_a_user_take_their_orders_user() {
    let dir = scratch("continuation");
    let mut csv = String::from("user_id,order_id,item_id,timestamp\n");
    for c in 0..6 {
        for o in 0..2 {
            csv.push_str(&format!("c{c}@x.com,#{c}{o},X,2024-06-0{}\n", o + 1));
            csv.push_str(&format!(",#{c}{o},Y,2024-06-0{}\n", o + 1));
        }
        csv.push_str(&format!("d{c}@x.com,#d{c},Z,2024-06-03\n"));
    }
    // An order id two customers share: its line without a user counts for neither.
    csv.push_str("e1,#e,Z,2024-06-04\n,#e,Y,2024-06-04\ne2,#e,Z,2024-06-04\n");
    let o = Options {
        repeat_min_buyers: 1,
        repeat_prior: 0.0,
        ..tolerant()
    };
    let i = write(&dir, &[("cont.csv", csv.as_bytes())]);
    let (parts, r) = build(&i, None, &o).unwrap();
    let m = Model::from_parts(parts).unwrap();
    let rate = |id: &str| m.repeat_rate(m.index_of(id).unwrap()).unwrap();
    assert_eq!((rate("X"), rate("Y"), rate("Z")), (1.0, 1.0, 0.0));
    assert_eq!((r.orders_of_two_users, r.two_users_example), (1, Some(34)));
    assert!(
        r.warnings[0].starts_with(&format!(
            "1 orders have purchase lines of two or more user_ids (e.g. {}:34)",
            i.display()
        )),
        "{:?}",
        r.warnings
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// GA4's `ga_session_id` is a timestamp, unique per user only: sessions of different users that
/// share one were merged into one session, pairing what neither viewed with the other's.
#[test]
fn sessions_are_keyed_by_user_and_session_id() {
    let dir = scratch("sessions");
    let mut csv = String::from("user_id,order_id,item_id,timestamp,event\n");
    for s in 0..3 {
        for (user, items) in [("u1", ["A", "B"]), ("u2", ["X", "Y"])] {
            for (k, item) in items.iter().enumerate() {
                csv.push_str(&format!(
                    "{user}_{s},17172420{s}0,{item},17172420{s}{k}000,view\n"
                ));
            }
        }
    }
    let i = write(&dir, &[("sess.csv", csv.as_bytes())]);
    let (parts, r) = build(&i, None, &tolerant()).unwrap();
    assert_eq!(r.baskets, 6, "two sessions per session id");
    let m = Model::from_parts(parts).unwrap();
    let seen = |a: &str| -> Vec<&str> {
        let (t, _) = m.co_view().of(m.index_of(a).unwrap());
        t.iter().map(|&j| m.id(j)).collect()
    };
    assert_eq!((seen("A"), seen("X")), (vec!["B"], vec!["Y"]));
    // Without user ids, a session id is one session, as before.
    let anonymous: String = csv
        .lines()
        .map(|l| l.split_once(',').unwrap().1.to_owned() + "\n")
        .collect();
    let i = write(&dir, &[("anon.csv", anonymous.as_bytes())]);
    let (parts, r) = build(&i, None, &tolerant()).unwrap();
    assert_eq!(r.baskets, 3);
    let m = Model::from_parts(parts).unwrap();
    assert_eq!(m.co_view().of(m.index_of("A").unwrap()).0.len(), 3);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Overlapping exports put together repeat lines: they still count (the evaluations' numbers
/// depend on how popularity is counted), but the build says how many, and where.
#[test]
fn exact_duplicate_lines_are_counted_as_given_and_warned_about() {
    let dir = scratch("duplicates");
    let csv = "order_id,item_id,quantity,timestamp\n\
               o1,A,1,2024-06-01T10:00:00Z\n\
               o2,B,1,2024-06-01T10:00:00Z\n\
               o3,B,1,2024-06-01T10:00:00Z\n\
               o1,A,2,2024-06-01T10:00:00Z\n\
               o1,A,1,2024-06-01T10:00:00Z\n\
               o1,A,1,2024-06-01T10:00:00Z\n\
               o4,C,10,2024-06-01T10:00:00Z\n";
    let i = write(&dir, &[("dup.csv", csv.as_bytes())]);
    let (parts, r) = build(&i, None, &tolerant()).unwrap();
    assert_eq!((r.duplicate_lines, r.duplicate_example), (2, Some((6, 2))));
    assert!(
        r.warnings[0].starts_with(&format!(
            "2 lines repeat an earlier line exactly (e.g. {}:6 repeats line 2)",
            i.display()
        )),
        "{:?}",
        r.warnings
    );
    // Counted as given: A's four lines weigh four times C's one.
    let m = Model::from_parts(parts).unwrap();
    let pop = |id: &str| m.parts().popularity[m.index_of(id).unwrap() as usize];
    assert_eq!(pop("A"), 4.0 * pop("C"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A `--popularity` file without a column was reported as a bad value on its first row.
#[test]
fn count_files_missing_a_column_name_it() {
    let dir = scratch("count-columns");
    let pop = "item_id,lines,baskets,sessions,popularity,price,price_lines,reference_time\n\
               A,3,3,0,1.5,10,3,1717242300000\n";
    write(
        &dir,
        &[
            ("pop.csv", pop.as_bytes()),
            ("pairs.csv", b"item_a,item_b,kind\n"),
            ("pop.jsonl", b"{\"item_id\":\"A\",\"lines\":3}\n"),
        ],
    );
    let e = build_from_counts(&dir.join("pairs.csv"), &dir.join("pop.csv"), None, &quiet())
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("pop.csv:1: the header has no trending column (expected sql/cooccurrence.sql's vitrine_popularity: item_id,lines,baskets,sessions,popularity,trending,price,price_lines,reference_time[,buyers,repeat_buyers])"),
        "{e}"
    );
    let fixed = pop
        .replace("popularity,", "popularity,trending,")
        .replace("1.5,", "1.5,0.5,");
    write(&dir, &[("pop.csv", fixed.as_bytes())]);
    let e = build_from_counts(&dir.join("pairs.csv"), &dir.join("pop.csv"), None, &quiet())
        .unwrap_err()
        .to_string();
    assert!(e.ends_with("pairs.csv:1: the header has no weight column (expected sql/cooccurrence.sql's vitrine_pairs: kind,item_a,item_b,weight)"), "{e}");
    let e = build_from_counts(
        &dir.join("pairs.csv"),
        &dir.join("pop.jsonl"),
        None,
        &quiet(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.ends_with("pop.jsonl:1: has no price_lines"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
