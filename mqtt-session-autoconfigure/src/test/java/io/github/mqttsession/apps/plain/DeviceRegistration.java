package io.github.mqttsession.apps.plain;

import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.Subscription;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A transactional service that writes its own entity and the session store, then fails.
 */
@Service
public class DeviceRegistration {

	private final DeviceRepository devices;

	private final SessionStore sessionStore;

	public DeviceRegistration(DeviceRepository devices, SessionStore sessionStore) {
		this.devices = devices;
		this.sessionStore = sessionStore;
	}

	@Transactional
	public void registerThenFail(String name) {
		this.devices.save(new Device(name));
		this.sessionStore.addSubscription(name, new Subscription("devices/" + name + "/#", 1));
		throw new IllegalStateException("registration of " + name + " failed after both writes");
	}

}
