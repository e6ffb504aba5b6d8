//! Upload throughput: files stored as materials are (content sniffed, SHA-256, one row or one
//! file per blob, durable), beside the same bytes written to plain files with an fsync each —
//! the disk's own limit, measured in the same run so the ratio survives the disk's mood.

use std::time::Instant;
use sunlight_core::case::MediaType;
use sunlight_store::{BlobPlace, Store};

fn files(count: usize, size: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| {
            let mut b = vec![0u8; size];
            getrandom::fill(&mut b).expect("random bytes");
            let head = format!("%PDF-1.7\n% file {i}\n");
            b[..head.len()].copy_from_slice(head.as_bytes());
            b
        })
        .collect()
}

fn line(what: &str, n: usize, size: usize, secs: f64, base: Option<f64>) -> f64 {
    let rate = n as f64 / secs;
    let mb = (n * size) as f64 / 1e6 / secs;
    let ratio = base.map_or(String::new(), |b| {
        format!(" ({:.0}% of the disk's)", 100.0 * rate / b)
    });
    println!("{what:<34} {rate:>8.1} files/s {mb:>8.1} MB/s{ratio}");
    rate
}

async fn through_store(store: &Store, data: &[Vec<u8>]) -> anyhow::Result<f64> {
    let now = jiff::Timestamp::now();
    let t = Instant::now();
    for b in data {
        let media = MediaType::sniff(b).ok_or_else(|| anyhow::anyhow!("not a PDF"))?;
        store.put_blob(b, media, now).await?;
    }
    Ok(t.elapsed().as_secs_f64())
}

pub async fn bench_files(
    count: usize,
    size_kb: usize,
    postgres: Option<&str>,
) -> anyhow::Result<()> {
    let size = size_kb * 1000;
    println!("{count} files of {size_kb} KB, one at a time, each durable before the next");
    let dir = tempfile::tempdir()?;
    // The disk: the same bytes to plain files, fsync each.
    let data = files(count, size);
    let plain = dir.path().join("plain");
    std::fs::create_dir_all(&plain)?;
    let t = Instant::now();
    for (i, b) in data.iter().enumerate() {
        use std::io::Write;
        let mut f = std::fs::File::create(plain.join(i.to_string()))?;
        f.write_all(b)?;
        f.sync_all()?;
    }
    let disk = line(
        "plain files + fsync (baseline)",
        count,
        size,
        t.elapsed().as_secs_f64(),
        None,
    );
    // Digest and sniff alone: what the CPU costs.
    let t = Instant::now();
    for b in &data {
        use sha2::Digest;
        std::hint::black_box(sha2::Sha256::digest(b));
        std::hint::black_box(MediaType::sniff(b));
    }
    line(
        "SHA-256 + type check (CPU only)",
        count,
        size,
        t.elapsed().as_secs_f64(),
        Some(disk),
    );

    let sqlite =
        Store::connect(&format!("sqlite:{}", dir.path().join("files.db").display())).await?;
    sqlite.migrate().await?;
    let secs = through_store(&sqlite, &files(count, size)).await?;
    line("SQLite, blob table", count, size, secs, Some(disk));
    let in_dir = sqlite
        .clone()
        .with_blobs(BlobPlace::Directory(dir.path().join("blobs")));
    let secs = through_store(&in_dir, &files(count, size)).await?;
    line(
        "SQLite row + directory store",
        count,
        size,
        secs,
        Some(disk),
    );
    if let Some(url) = postgres {
        use crate::bench_engine::{Backend, dispose, fresh};
        let backend = Backend::Postgres(url);
        let (pg, name) = fresh(&backend, dir.path(), 0).await?;
        let secs = through_store(&pg, &files(count, size)).await;
        dispose(&backend, pg, name).await?;
        line("PostgreSQL, blob table", count, size, secs?, Some(disk));
    }
    Ok(())
}
