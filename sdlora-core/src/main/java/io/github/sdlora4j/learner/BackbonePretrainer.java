package io.github.sdlora4j.learner;

import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitGraph;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Supervised pretraining of a whole ViT (every backbone tensor plus a temporary head) with cross-entropy, to make a
 * backbone when no pretrained file is at hand. SD-LoRA assumes a pretrained backbone: on random features the
 * adapters must learn everything and later tasks overwrite earlier ones.
 *
 * <p>Pretraining can be stopped and continued exactly: {@link #snapshot()} holds the weights, the head, the optimizer
 * state (under the learners' names, {@code sdlora.optimizer.<variable>.<key>}) and the position in the epochs, and
 * {@link #resume} continues from it; with the same data iterator (same seed) the result equals an uninterrupted run.
 */
public final class BackbonePretrainer {

    /** Temporary head weight [classes, dim], discarded when pretraining ends. */
    public static final String HEAD_WEIGHT = "pretrain.head.weight";
    /** Temporary head bias [classes]. */
    public static final String HEAD_BIAS = "pretrain.head.bias";

    private static final String LABEL = "label";
    private static final String LOSS = "loss";

    /**
     * Where a pretraining stands, enough to continue it exactly.
     *
     * @param backbone       the ViT as trained so far
     * @param headWeight     the temporary head, [classes, dim]
     * @param headBias       [classes]
     * @param optimizerState the optimizer's state ({@code sdlora.optimizer.*}); empty before the first step
     * @param position       epochs and batches done; after a finished epoch e it is {@code (e + 1, 0, steps)}
     */
    public record Snapshot(VitWeights backbone, INDArray headWeight, INDArray headBias,
                           Map<String, INDArray> optimizerState, EpochLoop.Position position) {
        /** Validates the head against the backbone. */
        public Snapshot {
            Objects.requireNonNull(backbone, "backbone");
            Objects.requireNonNull(position, "position");
            long dim = backbone.config().dim();
            if (headWeight == null || headBias == null || headWeight.rank() != 2 || headWeight.size(1) != dim
                    || headWeight.size(0) < 2 || headBias.length() != headWeight.size(0)) {
                throw new IllegalArgumentException("The pretraining head must be [classes >= 2, " + dim + "] and ["
                        + "classes], got " + (headWeight == null ? null : Arrays.toString(headWeight.shape())) + " and "
                        + (headBias == null ? null : Arrays.toString(headBias.shape())));
            }
            optimizerState = Collections.unmodifiableMap(new LinkedHashMap<>(
                    Objects.requireNonNull(optimizerState, "optimizerState")));
        }

        /** Classes of the temporary head. */
        public int numClasses() {
            return (int) headWeight.size(0);
        }
    }

    private final SameDiff sd = SameDiff.create();
    private final VitConfig vit;
    private final int numClasses;
    private final EpochLearningRate schedule;
    private final FitLoss fit;
    private EpochLoop.Position position;

    private BackbonePretrainer(Snapshot from, OptimizerConfig optimizer) {
        this.vit = from.backbone().config();
        this.numClasses = from.numClasses();
        SDVariable feature = VitGraph.build(sd, from.backbone(), null, DataType.FLOAT, true);
        SDVariable w = sd.var(HEAD_WEIGHT, from.headWeight().castTo(DataType.FLOAT).dup('c'));
        SDVariable b = sd.var(HEAD_BIAS, from.headBias().castTo(DataType.FLOAT).reshape(numClasses).dup('c'));
        SDVariable logits = sd.mmul(feature, w, false, true, false).add(b);
        sd.loss.softmaxCrossEntropy(LOSS, sd.placeHolder(LABEL, DataType.FLOAT, -1, numClasses), logits, null);
        this.schedule = new EpochLearningRate(Objects.requireNonNull(optimizer, "optimizer"));
        this.fit = FitLoss.configure(sd, LOSS, VitGraph.INPUT, LABEL, optimizer.newUpdater(schedule));
        fit.restoreOptimizerState(from.optimizerState());
        sd.getTrainingConfig().setIterationCount(from.position().iteration());
        this.position = from.position();
    }

    /** Starts pretraining {@code initial} with a fresh head of {@code numClasses} rows drawn from {@code seed}. */
    public static BackbonePretrainer start(VitWeights initial, int numClasses, OptimizerConfig optimizer, long seed) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("Pretraining needs at least 2 classes, got " + numClasses);
        }
        ClassifierHead head = ClassifierHead.empty(initial.config().dim(), DataType.FLOAT);
        head.grow(numClasses, new SplittableRandom(seed));
        return new BackbonePretrainer(new Snapshot(initial, head.weight(), head.bias(), Map.of(),
                EpochLoop.Position.START), optimizer);
    }

    /**
     * Continues from {@code snapshot} with the optimizer it was made with.
     *
     * @throws IllegalArgumentException if the saved optimizer state does not fit {@code optimizer}
     */
    public static BackbonePretrainer resume(Snapshot snapshot, OptimizerConfig optimizer) {
        return new BackbonePretrainer(snapshot, optimizer);
    }

    /**
     * Trains {@code initial} on {@code data} (labels one-hot over {@code numClasses}) for {@code epochs} epochs.
     *
     * @return the trained backbone (the head is discarded)
     */
    public static VitWeights pretrain(VitWeights initial, DataSetIterator data, int numClasses, int epochs,
                                      OptimizerConfig optimizer, long seed, TrainingMonitor monitor) {
        BackbonePretrainer p = start(initial, numClasses, optimizer, seed);
        p.train(data, epochs, monitor);
        return p.backbone();
    }

    /**
     * Trains from the current position to the end of epoch {@code epochs - 1}. {@code data} must be a fresh iterator
     * that hands out the same batches as the one training started with (same data and seed): the epochs and batches
     * already done are drawn and dropped. {@code monitor}'s events see the new position: after {@code stepDone} and
     * {@code epochDone}, {@link #snapshot()} is where a continued run would start.
     *
     * @return the mean loss of the last epoch, NaN when there was nothing left to train
     */
    public double train(DataSetIterator data, int epochs, TrainingMonitor monitor) {
        if (position.epoch() > epochs) {
            throw new IllegalArgumentException("Pretraining is at epoch " + position.epoch() + ", beyond the " + epochs
                    + " epochs asked for");
        }
        if (position.epoch() == epochs) {
            return Double.NaN;
        }
        TrainingMonitor tracking = new TrainingMonitor() {
            @Override
            public void epochDone(int task, int epoch, double meanLoss) {
                position = new EpochLoop.Position(epoch + 1, 0, position.iteration());
            }
        }.then(monitor == null ? TrainingMonitor.NONE : monitor);
        return EpochLoop.run(data, epochs, 0, (batch, epoch, step) -> {
            if (batch.getLabels().size(1) != numClasses) {
                throw new IllegalArgumentException("Pretraining labels must be one-hot over " + numClasses
                        + " classes, got " + batch.getLabels().size(1) + " columns");
            }
            schedule.setEpoch(epoch);
            double loss = fit.fit(batch, 0, epoch, step);
            int done = epoch == position.epoch() ? position.batchesDone() + 1 : 1;
            position = new EpochLoop.Position(epoch, done, step + 1);
            return loss;
        }, tracking, position);
    }

    /** Epochs and batches done so far. */
    public EpochLoop.Position position() {
        return position;
    }

    /** Classes of the temporary head. */
    public int numClasses() {
        return numClasses;
    }

    /** The backbone as trained so far (a copy). */
    public VitWeights backbone() {
        return VitGraph.readBackbone(sd, vit);
    }

    /** A copy of the whole state: continue it with {@link #resume}. */
    public Snapshot snapshot() {
        return new Snapshot(backbone(), sd.getArrForVarName(HEAD_WEIGHT).dup('c'),
                sd.getArrForVarName(HEAD_BIAS).dup('c'), fit.optimizerState(), position);
    }
}
