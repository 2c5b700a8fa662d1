//! Throughput of the whole pipeline over in-memory input: line cutting,
//! headers, events and correlation, into the sink the `report` command
//! uses and into one that keeps every record.
//!
//! `run_bytes` copies each input before reading it, so the figures include
//! one copy of the input.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use esatls::pipeline::{run_bytes, RunOptions};
use esatls::record::Collect;
use esatls::report::ReportBuilder;
use esatls_bench::Corpus;

fn bench_corpus(c: &mut Criterion, corpus: &Corpus) {
    let inputs = corpus.inputs();
    let options = RunOptions::default();
    let mut group = c.benchmark_group("pipeline");
    // One iteration over the generated logs takes a tenth of a second or
    // more, so the default of 100 samples would take minutes.
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Bytes(corpus.len()));
    group.bench_with_input(
        BenchmarkId::new("report", corpus.label),
        &inputs,
        |b, inputs| {
            b.iter(|| {
                let mut builder = ReportBuilder::new();
                let summary = run_bytes(inputs, &options, &mut builder);
                builder.finish(&summary)
            })
        },
    );
    group.bench_with_input(
        BenchmarkId::new("collect", corpus.label),
        &inputs,
        |b, inputs| {
            b.iter(|| {
                let mut collect = Collect::default();
                let summary = run_bytes(inputs, &options, &mut collect);
                (collect, summary)
            })
        },
    );
    group.finish();
}

fn pipeline(c: &mut Criterion) {
    bench_corpus(c, &esatls_bench::generated());
    bench_corpus(c, &esatls_bench::sample());
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
