package io.miaobu.plugin.webhook;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.testkit.ExtensionContract;
import io.miaobu.api.testkit.RecordingOutboundHttp;
import io.miaobu.api.testkit.TestClock;
import io.miaobu.api.testkit.TestEvents;

/** The testkit's extension contract, for the notifier as the host creates it. */
class WebhookNotifierContractTest extends ExtensionContract {

    @Override
    protected MiaobuExtension extension() {
        return new WebhookNotifier(new RecordingOutboundHttp(), TestClock.at(TestEvents.AT));
    }
}
