package io.github.sdlora4j.learner;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EpochLoopTest {

    /** 5 batches of one row each, the row holding its index. */
    private static TestDataSetIterator data() {
        DataSet all = new DataSet(Nd4j.arange(5).reshape(5, 1).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT),
                Nd4j.ones(5, 1));
        return new TestDataSetIterator(all, 1);
    }

    private static List<String> record(EpochLoop.Position from) {
        List<String> seen = new ArrayList<>();
        EpochLoop.run(data(), 3, 0, (batch, epoch, step) -> {
            seen.add(epoch + ":" + step + ":" + batch.getFeatures().getInt(0));
            return 0.0;
        }, null, from);
        return seen;
    }

    @Test
    void aResumedLoopRunsExactlyTheRemainingSteps() {
        List<String> full = record(EpochLoop.Position.START);
        assertEquals(15, full.size());
        // Epoch 1, 2 batches done, 7 steps in all: the rest is the uninterrupted run's tail.
        assertEquals(full.subList(7, 15), record(new EpochLoop.Position(1, 2, 7)));
    }

    @Test
    void resumingPastTheDataIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> record(new EpochLoop.Position(0, 6, 6)));
        assertThrows(IllegalArgumentException.class, () -> record(new EpochLoop.Position(3, 0, 15)));
        assertThrows(IllegalArgumentException.class, () -> new EpochLoop.Position(-1, 0, 0));
    }
}
