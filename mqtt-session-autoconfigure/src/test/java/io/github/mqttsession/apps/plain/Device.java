package io.github.mqttsession.apps.plain;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;

/** An entity of the application's own. */
@Entity
public class Device {

	@Id
	@GeneratedValue
	private Long id;

	private String name;

	protected Device() {
	}

	public Device(String name) {
		this.name = name;
	}

	public String getName() {
		return this.name;
	}

}
