package verify_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/verify"
)

func TestReasonOutcome(t *testing.T) {
	tests := []struct {
		reason verify.Reason
		want   verify.Outcome
	}{
		{verify.ReasonMalformed, verify.OutcomeInvalidToken},
		{verify.ReasonExpired, verify.OutcomeInvalidToken},
		{verify.ReasonInactive, verify.OutcomeInvalidToken},
		{verify.ReasonInsufficientScope, verify.OutcomeInsufficientScope},
		{verify.ReasonUnavailable, verify.OutcomeUnavailable},
		{"", ""},
		{"revoked", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.reason), func(t *testing.T) {
			if got := tt.reason.Outcome(); got != tt.want {
				t.Errorf("Reason(%q).Outcome() = %q, want %q", tt.reason, got, tt.want)
			}
		})
	}
}

func TestOutcomeOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want verify.Outcome
	}{
		{"nil", nil, ""},
		{"token fault", &verify.Error{Reason: verify.ReasonExpired}, verify.OutcomeInvalidToken},
		{"wrapped scope", fmt.Errorf("checker: %w", &verify.Error{Reason: verify.ReasonInsufficientScope}), verify.OutcomeInsufficientScope},
		{"keys unavailable", &verify.Error{Reason: verify.ReasonUnavailable}, verify.OutcomeUnavailable},
		{"missing token", httpmw.ErrMissingToken, verify.OutcomeMissingToken},
		{"wrapped invalid request", fmt.Errorf("x: %w", httpmw.ErrInvalidRequest), verify.OutcomeInvalidRequest},
		{"error without a reason", errors.New("database down"), verify.OutcomeUnavailable},
		{"unknown reason", &verify.Error{Reason: "revoked"}, verify.OutcomeUnavailable},
		{"sentinel alone", verify.ErrExpired, verify.OutcomeUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := verify.OutcomeOf(tt.err); got != tt.want {
				t.Errorf("OutcomeOf(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}
