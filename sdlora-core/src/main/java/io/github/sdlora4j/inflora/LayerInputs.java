package io.github.sdlora4j.inflora;

import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.QkvAdapter;
import io.github.sdlora4j.vit.VitGraph;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.Map;

/**
 * The mean outer product {@code (1/n)·Σ x·xᵀ} of the input of the q and v projections (the block's first LayerNorm's
 * output, one row per token of every image) of each block of a ViT over a pass of a data iterator: InfLoRA's
 * representation of a task at a layer. q and v read the same input, so one matrix serves both.
 *
 * <p>The graph is the SameDiff ViT of {@link VitGraph} with the weights given (earlier tasks merged in); per batch
 * it returns each block's {@code Xᵀ·X}, which is summed in double.
 */
public final class LayerInputs {

    private static final String GRAM = "inflora.inputs.gram.";

    private final SameDiff sd = SameDiff.create();
    private final String[] outputs;
    private final int depth;
    private final int dim;
    private final int tokens;
    private final DataType type;

    /** A collector for the ViT {@code weights}, computing in {@code type}. */
    public LayerInputs(VitWeights weights, DataType type) {
        this.depth = weights.config().depth();
        this.dim = weights.config().dim();
        this.tokens = weights.config().numTokens();
        this.type = type;
        this.outputs = new String[depth];
        QkvAdapter capture = (graph, block, projection, input, outputScale) -> {
            if (projection == Projection.Q) {
                outputs[block] = graph.mmul(input, input, true, false, false).rename(GRAM + block).name();
            }
            return null;
        };
        VitGraph.build(sd, weights, capture, type);
    }

    /**
     * One pass over {@code data} from where it stands (it is not reset: a fresh iterator gives its first epoch).
     *
     * @return per block, the mean outer product [d, d] in double
     * @throws IllegalArgumentException if the iterator has no batch
     */
    public INDArray[] meanOuterProducts(DataSetIterator data) {
        INDArray[] sums = new INDArray[depth];
        long rows = 0;
        while (data.hasNext()) {
            DataSet batch = data.next();
            INDArray images = batch.getFeatures().castTo(type);
            Map<String, INDArray> out = sd.output(Map.of(VitGraph.INPUT, images), outputs);
            for (int l = 0; l < depth; l++) {
                INDArray gram = out.get(outputs[l]).castTo(DataType.DOUBLE);
                sums[l] = sums[l] == null ? gram.dup() : sums[l].addi(gram);
            }
            rows += images.size(0) * tokens;
        }
        if (rows == 0) {
            throw new IllegalArgumentException("The task's training data has no batch to take layer inputs from");
        }
        for (INDArray s : sums) {
            s.divi(rows);
        }
        return sums;
    }

    /** The input width d. */
    public int dim() {
        return dim;
    }
}
