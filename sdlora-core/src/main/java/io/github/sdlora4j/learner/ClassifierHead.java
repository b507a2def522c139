package io.github.sdlora4j.learner;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The growing linear classifier ({@code head.weight} [C, d], {@code head.bias} [C]). A new task appends rows
 * initialised as PyTorch's {@code kaiming_uniform_(nonlinearity='linear')}, U(±√(3/d)), with zero bias; old rows
 * are kept.
 */
public final class ClassifierHead {

    public static final String WEIGHT = "head.weight";
    public static final String BIAS = "head.bias";

    private INDArray weight;
    private INDArray bias;

    /** Wraps existing arrays (checked to be [C, d] and [C]). */
    public ClassifierHead(INDArray weight, INDArray bias) {
        if (weight.rank() != 2 || bias.rank() != 1 || weight.size(0) != bias.size(0)) {
            throw new IllegalArgumentException("Head must be weight [C, d] and bias [C], got "
                    + Arrays.toString(weight.shape()) + " and " + Arrays.toString(bias.shape()));
        }
        this.weight = weight;
        this.bias = bias;
    }

    /** A head with no classes yet. */
    public static ClassifierHead empty(int dim, DataType type) {
        return new ClassifierHead(Nd4j.create(type, 0, dim), Nd4j.create(type, 0));
    }

    public int numClasses() {
        return (int) weight.size(0);
    }

    public int dim() {
        return (int) weight.size(1);
    }

    public INDArray weight() {
        return weight;
    }

    public INDArray bias() {
        return bias;
    }

    /** Appends {@code newClasses} freshly initialised rows. */
    public void grow(int newClasses, SplittableRandom rng) {
        if (newClasses < 1) {
            throw new IllegalArgumentException("A task must add at least one class, got " + newClasses);
        }
        int d = dim();
        double bound = Math.sqrt(3.0 / d);
        double[] w = new double[newClasses * d];
        for (int i = 0; i < w.length; i++) {
            w[i] = (2 * rng.nextDouble() - 1) * bound;
        }
        INDArray rows = Nd4j.create(w, new long[]{newClasses, d}, 'c').castTo(weight.dataType());
        INDArray zeros = Nd4j.zeros(bias.dataType(), newClasses);
        boolean empty = numClasses() == 0;
        weight = empty ? rows : Nd4j.concat(0, weight, rows);
        bias = empty ? zeros : Nd4j.concat(0, bias, zeros);
    }

    /** Overwrites rows {@code [from, C)} with trained values. */
    public void setRows(int from, INDArray w, INDArray b) {
        if (from < 0 || from + w.size(0) != numClasses() || w.size(1) != dim() || b.length() != w.size(0)) {
            throw new IllegalArgumentException("Rows [" + from + ", " + (from + w.size(0)) + ") of shape "
                    + Arrays.toString(w.shape()) + " do not fit a head of " + numClasses() + " x " + dim());
        }
        INDArray newW = w.castTo(weight.dataType()).reshape(new long[]{w.size(0), dim()});
        INDArray newB = b.castTo(bias.dataType()).reshape(new long[]{b.length()});
        weight = from == 0 ? newW.dup('c')
                : Nd4j.concat(0, weight.get(NDArrayIndex.interval(0, from), NDArrayIndex.all()), newW).dup('c');
        bias = from == 0 ? newB.dup('c') : Nd4j.concat(0, bias.get(NDArrayIndex.interval(0, from)), newB).dup('c');
    }

    /** Rows {@code [from, C)} of the weight, [C - from, d]. */
    public INDArray weightRows(int from) {
        return weight.get(NDArrayIndex.interval(from, numClasses()), NDArrayIndex.all()).dup('c');
    }

    /** Entries {@code [from, C)} of the bias. */
    public INDArray biasRows(int from) {
        return bias.get(NDArrayIndex.interval(from, numClasses())).dup('c');
    }

    /** Deep copy. */
    public ClassifierHead copy() {
        return new ClassifierHead(weight.dup('c'), bias.dup('c'));
    }
}
