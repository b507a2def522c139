/**
 * DataVec interoperability: any DataVec {@code RecordReader} that yields an image and a label becomes a
 * class-incremental benchmark ({@link io.github.sdlora4j.datavec.RecordReaderDataset}, behind
 * {@code ClassIncrementalBenchmark.from}), and our formats and image files are DataVec {@code RecordReader}s
 * ({@link io.github.sdlora4j.datavec.DatasetRecordReader}, {@link io.github.sdlora4j.datavec.ImageFileRecordReader}).
 */
package io.github.sdlora4j.datavec;
