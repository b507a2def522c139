package io.github.sdlora4j;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Releases the native memory of arrays the library made and no longer needs, at once: ND4J frees an array's buffer
 * only when the garbage collector finds it unreachable, and a run allocates little on the Java heap, so without this
 * the discarded buffers of many tasks (work arrays, weight copies) pile up before a collection comes. Views and
 * already released arrays are skipped ({@link INDArray#close}).
 */
public final class NativeArrays {

    private NativeArrays() {
    }

    /** Releases each array that is not null. Only for arrays no one else holds (nor a view of them). */
    public static void close(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a != null) {
                a.close();
            }
        }
    }

    /** Releases each array of {@code arrays} that is not null (as {@link #close(INDArray...)}). */
    public static void close(Iterable<? extends INDArray> arrays) {
        for (INDArray a : arrays) {
            if (a != null) {
                a.close();
            }
        }
    }

    /** Releases {@code copy} when it is a new array made from {@code original} (a cast that copied), never the original. */
    public static void closeCopy(INDArray copy, INDArray original) {
        if (copy != original) {
            close(copy);
        }
    }
}
