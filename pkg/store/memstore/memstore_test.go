package memstore_test

import (
	"testing"

	"github.com/userbase/userbase/pkg/store/memstore"
	"github.com/userbase/userbase/pkg/store/storetest"
	"github.com/userbase/userbase/pkg/user"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(*testing.T) user.Store { return memstore.New() }, nil) // it indexes as it writes
}
