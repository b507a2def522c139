package io.github.sdlora4j.learner;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * One optimizer step through {@code SameDiff.fit} that also returns the batch loss and stops on NaN/Inf.
 * SameDiff 1.0.0-M2.1 reports a loss of 0 from fit; registering {@link LossEvaluationHook} on the loss variable
 * makes it compute the real value, which this listener then reads.
 */
final class FitLoss extends BaseListener {

    private final SameDiff sd;
    private double value = Double.NaN;

    private FitLoss(SameDiff sd) {
        this.sd = sd;
    }

    /** Sets {@code sd}'s training configuration (features → {@code input}, labels → {@code label}). */
    static FitLoss configure(SameDiff sd, String loss, String input, String label, IUpdater updater) {
        sd.setLossVariables(loss);
        sd.setTrainingConfig(TrainingConfig.builder()
                .updater(updater)
                .dataSetFeatureMapping(input)
                .dataSetLabelMapping(label)
                .trainEvaluation(loss, 0, new LossEvaluationHook())
                .build());
        return new FitLoss(sd);
    }

    /** One step; the returned loss is the batch's before the update. */
    double fit(DataSet batch, int task, int epoch, int step) {
        value = Double.NaN;
        sd.fit(batch, this);
        if (!Double.isFinite(value)) {
            throw new NonFiniteLossException(task, epoch, step, value);
        }
        return value;
    }

    @Override
    public boolean isActive(Operation operation) {
        return operation == Operation.TRAINING;
    }

    @Override
    public void iterationDone(SameDiff sameDiff, At at, MultiDataSet batch, Loss loss) {
        value = loss.getLosses()[0];
    }
}
