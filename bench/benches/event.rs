//! Throughput of `parse_event` over the text after each line's header.
//! Headers are parsed before timing starts, and the throughput counts only
//! the bytes of that text.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use esatls::event::parse_event;
use esatls_bench::{event_texts, total_bytes, Corpus};

fn bench_corpus(c: &mut Criterion, corpus: &Corpus) {
    let lines = corpus.lines();
    let texts = event_texts(&lines);
    let mut group = c.benchmark_group("event");
    group.throughput(Throughput::Bytes(total_bytes(&texts)));
    group.bench_with_input(
        BenchmarkId::new("parse_event", corpus.label),
        &texts,
        |b, texts| {
            b.iter(|| {
                for text in texts {
                    black_box(parse_event(black_box(text)));
                }
            })
        },
    );
    group.finish();
}

fn event(c: &mut Criterion) {
    bench_corpus(c, &esatls_bench::generated());
    bench_corpus(c, &esatls_bench::sample());
}

criterion_group!(benches, event);
criterion_main!(benches);
