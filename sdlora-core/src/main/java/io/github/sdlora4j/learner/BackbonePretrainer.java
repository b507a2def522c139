package io.github.sdlora4j.learner;

import io.github.sdlora4j.vit.VitGraph;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.SplittableRandom;

/**
 * Supervised pretraining of a whole ViT (every backbone tensor plus a temporary head) with cross-entropy, to make a
 * backbone when no pretrained file is at hand. SD-LoRA assumes a pretrained backbone: on random features the
 * adapters must learn everything and later tasks overwrite earlier ones.
 */
public final class BackbonePretrainer {

    private static final String LABEL = "label";
    private static final String LOSS = "loss";

    private BackbonePretrainer() {
    }

    /**
     * Trains {@code initial} on {@code data} (labels one-hot over {@code numClasses}) for {@code epochs} epochs.
     *
     * @return the trained backbone (the head is discarded)
     */
    public static VitWeights pretrain(VitWeights initial, DataSetIterator data, int numClasses, int epochs,
                                      OptimizerConfig optimizer, long seed, TrainingMonitor monitor) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("Pretraining needs at least 2 classes, got " + numClasses);
        }
        SameDiff sd = SameDiff.create();
        SDVariable feature = VitGraph.build(sd, initial, null, DataType.FLOAT, true);
        ClassifierHead head = ClassifierHead.empty(initial.config().dim(), DataType.FLOAT);
        head.grow(numClasses, new SplittableRandom(seed));
        SDVariable w = sd.var("pretrain.head.weight", head.weight());
        SDVariable b = sd.var("pretrain.head.bias", head.bias());
        SDVariable logits = sd.mmul(feature, w, false, true, false).add(b);
        sd.loss.softmaxCrossEntropy(LOSS, sd.placeHolder(LABEL, DataType.FLOAT, -1, numClasses), logits, null);
        EpochLearningRate schedule = new EpochLearningRate(optimizer);
        FitLoss fit = FitLoss.configure(sd, LOSS, VitGraph.INPUT, LABEL, optimizer.newUpdater(schedule));
        EpochLoop.run(data, epochs, 0, (batch, epoch, step) -> {
            if (batch.getLabels().size(1) != numClasses) {
                throw new IllegalArgumentException("Pretraining labels must be one-hot over " + numClasses
                        + " classes, got " + batch.getLabels().size(1) + " columns");
            }
            schedule.setEpoch(epoch);
            return fit.fit(batch, 0, epoch, step);
        }, monitor);
        return VitGraph.readBackbone(sd, initial.config());
    }
}
