package io.github.sdlora4j.datavec;

import org.datavec.api.conf.Configuration;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaData;
import org.datavec.api.records.reader.BaseRecordReader;
import org.datavec.api.split.InputSplit;
import org.datavec.api.writable.Writable;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The part our readers share: records 0..{@link #size()}-1 built by index, handed out in order, rewound by
 * {@link #reset()} (which {@code initialize} calls once it knows the records), each passed to the listeners.
 */
abstract class IndexedRecordReader extends BaseRecordReader {

    private static final long serialVersionUID = 1L;

    private final String exhausted;
    private int cursor;
    private Configuration conf;

    /** @param exhausted the message of the exception {@link #nextRecord()} throws past the last record */
    IndexedRecordReader(String exhausted) {
        this.exhausted = exhausted;
    }

    /** @return the number of records */
    abstract int size();

    /** @return record {@code index}, with its metadata */
    abstract Record record(int index);

    /**
     * Reads the records {@code inputSplit} names (or keeps those chosen when the reader was made), then calls
     * {@link #reset()}.
     */
    @Override
    public abstract void initialize(InputSplit inputSplit);

    @Override
    public final void initialize(Configuration configuration, InputSplit inputSplit) {
        setConf(configuration);
        initialize(inputSplit);
    }

    @Override
    public final List<Writable> next() {
        return nextRecord().getRecord();
    }

    @Override
    public final boolean hasNext() {
        return cursor < size();
    }

    @Override
    public final Record nextRecord() {
        if (!hasNext()) {
            throw new NoSuchElementException(exhausted);
        }
        Record r = record(cursor++);
        invokeListeners(r);
        return r;
    }

    @Override
    public final void reset() {
        cursor = 0;
    }

    @Override
    public final boolean resetSupported() {
        return true;
    }

    /** The record {@code recordMetaData} (written by this reader) describes. */
    @Override
    public abstract Record loadFromMetaData(RecordMetaData recordMetaData);

    @Override
    public final List<Record> loadFromMetaData(List<RecordMetaData> recordMetaDatas) {
        List<Record> out = new ArrayList<>(recordMetaDatas.size());
        for (RecordMetaData m : recordMetaDatas) {
            out.add(loadFromMetaData(m));
        }
        return out;
    }

    @Override
    public final void close() {
    }

    @Override
    public final void setConf(Configuration configuration) {
        this.conf = configuration;
    }

    @Override
    public final Configuration getConf() {
        return conf;
    }
}
