package io.github.sdlora4j.learner;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.ArrayList;
import java.util.List;

/**
 * One optimizer step through {@code SameDiff.fit} that also returns the batch loss and stops on NaN/Inf.
 * SameDiff 1.0.0-M2.1 reports a loss of 0 from fit; registering {@link LossEvaluationHook} on the loss variable
 * makes it compute the real value, which this listener then reads.
 */
final class FitLoss extends BaseListener {

    private final SameDiff sd;
    private final List<String> trained = new ArrayList<>();
    private double value = Double.NaN;

    private FitLoss(SameDiff sd) {
        this.sd = sd;
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                trained.add(v.name());
            }
        }
    }

    /** Sets the training configuration of {@code sd}, whose graph must be complete (features → {@code input}, labels → {@code label}). */
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

    /**
     * One step; the returned loss is the batch's before the update. A non-finite loss, or an update that made a
     * trained tensor non-finite (which can happen a step before the loss shows it), stops training.
     */
    double fit(DataSet batch, int task, int epoch, int step) {
        value = Double.NaN;
        sd.fit(batch, this);
        if (!Double.isFinite(value)) {
            throw new NonFiniteLossException(task, epoch, step, value);
        }
        for (String name : trained) {
            double sum = sd.getArrForVarName(name).sumNumber().doubleValue();
            if (!Double.isFinite(sum)) {
                throw new NonFiniteLossException(task, epoch, step, "Parameter '" + name + "' became non-finite");
            }
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
