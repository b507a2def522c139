package io.github.sdlora4j.data;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * The part of {@link DataSetIterator} that this module's iterators share: the {@link DataSetPreProcessor} set on
 * the iterator, applied by {@link #preProcessed} to every batch it hands out, and the defaults of an iterator that
 * can start a new epoch and may be run ahead on another thread.
 */
public abstract class PreProcessingIterator implements DataSetIterator {

    private static final long serialVersionUID = 1L;

    private transient DataSetPreProcessor preProcessor;

    /** @return {@code batch} after the pre-processor set on this iterator (if any) has run on it */
    protected final DataSet preProcessed(DataSet batch) {
        if (preProcessor != null) {
            preProcessor.preProcess(batch);
        }
        return batch;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }
}
