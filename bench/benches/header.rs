//! Throughput of header recognition over whole lines: `parse_header` on
//! its own, and `HeaderParser`, which reuses the last timestamp it parsed.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use esatls::header::{parse_header, HeaderParser};
use esatls_bench::Corpus;

fn bench_corpus(c: &mut Criterion, corpus: &Corpus) {
    let lines = corpus.lines();
    let mut group = c.benchmark_group("header");
    group.throughput(Throughput::Bytes(corpus.len()));
    group.bench_with_input(
        BenchmarkId::new("parse_header", corpus.label),
        &lines,
        |b, lines| {
            b.iter(|| {
                for line in lines {
                    black_box(parse_header(black_box(line)));
                }
            })
        },
    );
    group.bench_with_input(
        BenchmarkId::new("HeaderParser", corpus.label),
        &lines,
        |b, lines| {
            b.iter(|| {
                let mut parser = HeaderParser::new();
                for line in lines {
                    black_box(parser.parse(black_box(line)));
                }
            })
        },
    );
    group.finish();
}

fn header(c: &mut Criterion) {
    bench_corpus(c, &esatls_bench::generated());
    bench_corpus(c, &esatls_bench::sample());
}

criterion_group!(benches, header);
criterion_main!(benches);
