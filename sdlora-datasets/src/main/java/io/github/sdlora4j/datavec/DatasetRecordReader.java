package io.github.sdlora4j.datavec;

import io.github.sdlora4j.data.DatasetReaders;
import io.github.sdlora4j.data.DatasetSplit;
import io.github.sdlora4j.data.DatasetSpec;
import io.github.sdlora4j.data.LabeledDataset;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaData;
import org.datavec.api.records.metadata.RecordMetaDataIndex;
import org.datavec.api.split.InputSplit;
import org.datavec.api.writable.IntWritable;
import org.datavec.api.writable.Writable;

import java.io.DataInputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One split of one of our formats (CIFAR, image folders, DomainNet lists, IDX, synthetic) as a DataVec
 * {@code RecordReader}: records {@code [NDArrayWritable [1, C, H, W] of pixel values 0–255, IntWritable original
 * label]} in the split's order, {@link #getLabels()} the class names. It can go wherever DataVec takes a reader
 * (a {@code RecordReaderDataSetIterator}, a {@code TransformProcessRecordReader}) and back into
 * {@code ClassIncrementalBenchmark.from}.
 *
 * <p>The data are chosen when the reader is made (format, root and options of a {@link DatasetSpec}), so
 * {@link #initialize(InputSplit)} only rewinds; the record's metadata is its index, with the image file's URI where
 * the format has one file per image.
 */
public final class DatasetRecordReader extends IndexedRecordReader {

    private static final long serialVersionUID = 1L;

    private final transient DatasetSplit split;
    private final List<String> classNames;

    /** A reader over {@code split}, whose labels index {@code classNames}. */
    public DatasetRecordReader(DatasetSplit split, List<String> classNames) {
        super("no more records; call reset()");
        this.split = Objects.requireNonNull(split, "split");
        this.classNames = List.copyOf(classNames);
    }

    /** @return readers of the train and the test split of the dataset {@code spec} names (format, root, options) */
    public static DatasetRecordReader[] trainAndTest(DatasetSpec spec) {
        LabeledDataset data = DatasetReaders.forName(spec.format()).read(spec.root(), spec.options(), spec.skipCorrupt());
        return new DatasetRecordReader[] {
            new DatasetRecordReader(data.train(), data.classNames()),
            new DatasetRecordReader(data.test(), data.classNames())};
    }

    @Override
    public void initialize(InputSplit inputSplit) {
        this.inputSplit = inputSplit;
        reset();
    }

    @Override
    int size() {
        return split.size();
    }

    @Override
    Record record(int index) {
        List<Writable> w = List.of(RecordImages.toWritable(split.image(index)), new IntWritable(split.label(index)));
        return new org.datavec.api.records.impl.Record(w, new RecordMetaDataIndex(index, uriOf(index), getClass()));
    }

    /** The image's file where the source is one (image folders, DomainNet), else null (records inside a file). */
    private URI uriOf(int index) {
        String s = split.source(index);
        if (s.indexOf('#') >= 0) {
            return null;
        }
        try {
            return Path.of(s).toUri();
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public List<String> getLabels() {
        return classNames;
    }

    /** Not supported: the records are not read from streams. */
    @Override
    public List<Writable> record(URI uri, DataInputStream dataInputStream) {
        throw new UnsupportedOperationException("DatasetRecordReader reads records by index, not from streams");
    }

    @Override
    public Record loadFromMetaData(RecordMetaData recordMetaData) {
        if (!(recordMetaData instanceof RecordMetaDataIndex m)) {
            throw new IllegalArgumentException("expected the RecordMetaDataIndex this reader writes, got " + recordMetaData);
        }
        return record(Math.toIntExact(m.getIndex()));
    }
}
